// The S3 SDK as a bundle of its own (dist/s3-sdk.cjs, the binary's s3-sdk.cjs
// asset): the transfer step requires it on its first s3:// call, so a file://
// transfer neither reads nor compiles its 1.4 MB (~60 ms, ~6 MB at start).
export * from '@aws-sdk/client-s3';
