// ssh2 as a bundle of its own (dist/ssh2.cjs, the binary's ssh2.cjs asset): the
// transfer step requires it on its first sftp:// call only, so other kinds never load it.
export * from 'ssh2';
