import { describe, expect, it } from 'vitest';
import { davAuth, encodePath, maskSecrets, netrcEntry, parseMultistatus } from '../../src/staging/webdav-proto.js';

describe('WebDAV credentials', () => {
  it('takes a token, else user and password, else the netrc entry of the host', () => {
    const netrc = { file: '~/.netrc', text: 'machine dav.example.org login u password p\ndefault login d password dp' };
    expect(davAuth('h', { KICKSTART_WEBDAV_TOKEN: 'tok', KICKSTART_WEBDAV_USER: 'u', KICKSTART_WEBDAV_PASSWORD: 'p' }, netrc)).toMatchObject({ header: 'Bearer tok', source: 'KICKSTART_WEBDAV_TOKEN' });
    expect(davAuth('h', { KICKSTART_WEBDAV_USER: 'me', KICKSTART_WEBDAV_PASSWORD: 'secret' }).header).toBe(`Basic ${Buffer.from('me:secret').toString('base64')}`);
    expect(davAuth('dav.example.org', {}, netrc)).toMatchObject({ header: `Basic ${Buffer.from('u:p').toString('base64')}`, source: 'netrc ~/.netrc' });
    expect(davAuth('elsewhere', {}, netrc).header).toBe(`Basic ${Buffer.from('d:dp').toString('base64')}`);
    expect(davAuth('h', {})).toEqual({ secrets: [] });
  });

  it('reads netrc tokens across lines and ignores comments', () => {
    expect(netrcEntry('# x\nmachine a\n  login l\n  password "p"\n', 'a')).toEqual({ login: 'l', password: '"p"' });
    expect(netrcEntry('machine a login l', 'a')).toBeUndefined();
  });

  it('masks the password and the basic blob', () => {
    const a = davAuth('h', { KICKSTART_WEBDAV_USER: 'me', KICKSTART_WEBDAV_PASSWORD: 'hunter22' });
    expect(maskSecrets(`x hunter22 ${a.header}`, a.secrets)).toBe('x *** Basic ***');
  });
});

describe('PROPFIND multistatus', () => {
  it('reads hrefs, sizes, times and collections under any prefix, 200 propstats only', () => {
    const xml = `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">
<d:response><d:href>/s/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>https://h/s/a%20b.bin</d:href><d:propstat><d:prop><d:resourcetype/><d:getcontentlength>12</d:getcontentlength><d:getlastmodified>Fri, 04 Dec 2026 03:06:50 GMT</d:getlastmodified></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
<d:propstat><d:prop><d:getcontentlength>99</d:getcontentlength></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>
<D:response><D:href>/s/x&amp;y</D:href><D:propstat><D:prop><D:getcontentlength>3</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
</d:multistatus>`;
    expect(parseMultistatus(xml)).toEqual([
      { path: '/s/', collection: true, size: 0, mtimeMs: 0 },
      { path: '/s/a b.bin', collection: false, size: 12, mtimeMs: Date.UTC(2026, 11, 4, 3, 6, 50) },
      { path: '/s/x&y', collection: false, size: 3, mtimeMs: 0 },
    ]);
  });

  it('encodes each path segment', () => {
    expect(encodePath('a b/c%d/e#f')).toBe('a%20b/c%25d/e%23f');
  });
});
