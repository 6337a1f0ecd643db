/**
 * OpenSSH Key Revocation List (PROTOCOL.krl) revoking certificates by key id under one CA: what
 * sshd's `RevokedKeys` reads. Revoking by key id (`hourglass:<user>:<grant>`) covers every
 * certificate a grant got, the re-signed ones after an extension too.
 */
import type sshpk from 'sshpk';

const MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');
const FORMAT_VERSION = 1;
const SECTION_CERTIFICATES = 1;
const CERT_SECTION_KEY_ID = 0x23;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};
const str = (data: Buffer | string) => {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(bytes.length), bytes]);
};

/** A KRL naming `keyIds` as revoked for certificates signed by `ca`. `version` must grow. */
export function buildKrl(input: {
  ca: sshpk.Key;
  keyIds: readonly string[];
  version: bigint;
  now: Date;
}): Buffer {
  const header = Buffer.concat([
    MAGIC,
    u32(FORMAT_VERSION),
    u64(input.version),
    u64(BigInt(Math.floor(input.now.getTime() / 1000))),
    u64(0n),
    str(''),
    str('hourglass revoked certificates'),
  ]);
  const ids = [...new Set(input.keyIds)].sort();
  const certSections =
    ids.length === 0
      ? Buffer.alloc(0)
      : Buffer.concat([
          Buffer.from([CERT_SECTION_KEY_ID]),
          str(Buffer.concat(ids.map((id) => str(id)))),
        ]);
  const certificates = Buffer.concat([str(input.ca.toBuffer('rfc4253')), str(''), certSections]);
  return Buffer.concat([header, Buffer.from([SECTION_CERTIFICATES]), str(certificates)]);
}
