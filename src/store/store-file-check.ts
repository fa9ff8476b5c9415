import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A store whose data file LMDB cannot open safely. LMDB maps the file into memory and trusts its header: a
 * truncated or overwritten file kills the process with SIGBUS or SIGSEGV, with no message, on open or on first
 * read. `userError`: the CLI reports it in one line, exit 2.
 */
export class StoreDamagedError extends Error {
  override readonly name = 'StoreDamagedError';
  readonly userError = true;
}

// The on-disk layout of the LMDB that lmdb-js 3 bundles (LMDB 1.0, data version 2): every page starts with a 24-byte
// header (page number u64, txn id u64, pad u16, flags u16, lower u16, upper u16); pages 0 and 1 are the two meta
// pages, each holding: magic u32, version u32, address u64, map size u64, two database records of 48 bytes (free
// pages, main) whose first u32 in the first is the page size and whose u64 at offset 40 is the root page, then the
// last page number u64 and the transaction id u64. LMDB opens with the meta page of the higher transaction id.
const PAGE_HEADER = 24;
const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_META = 0x08;
const NO_PAGE = 0xffffffffffffffffn;
const META = {
  magic: PAGE_HEADER,
  version: PAGE_HEADER + 4,
  pageSize: PAGE_HEADER + 24,
  freeRoot: PAGE_HEADER + 24 + 40,
  mainRoot: PAGE_HEADER + 24 + 48 + 40,
  lastPage: PAGE_HEADER + 24 + 96,
  txnId: PAGE_HEADER + 24 + 104,
  end: PAGE_HEADER + 24 + 112,
};

interface Meta {
  readonly pageSize: number;
  readonly lastPage: bigint;
  readonly txnId: bigint;
  readonly roots: readonly bigint[];
}

/**
 * Checks the LMDB data file of the store at `dir` before it is opened: both meta pages (page number, flags, magic,
 * version, page size), the file's size against the last page they name, and the main and free-page trees' root
 * pages. A missing file (a new store) passes; anything else wrong throws a {@link StoreDamagedError} saying what and
 * what to do. Reads a few pages; the rest of the file is LMDB's to check.
 */
export function checkStoreFile(dir: string): void {
  const file = join(dir, 'data.mdb');
  let fd: number;
  try {
    if (!statSync(dir).isDirectory()) return; // not a store directory: opening it reports that
    fd = openSync(file, 'r');
  } catch {
    return; // a new store, or one LMDB will refuse with its own error
  }
  try {
    // Looked at twice before it is called damaged: another process committing meanwhile may move the meta pages on.
    const problem = inspect(fd) === null ? null : inspect(fd);
    if (problem !== null) {
      throw new StoreDamagedError(
        `store ${dir} is damaged: ${file} ${problem}. Move the store directory aside (keep it for inspection) and ` +
          `restore it from a backup, or start with an empty store (its checkpoints and open positions are then lost)`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

function inspect(fd: number): string | null {
  const size = fstatSync(fd).size;
  if (size === 0) return 'is empty';
  const first = read(fd, 0, Math.min(size, 65_536));
  if (first.length < META.end) return `is ${size} bytes, too short for an LMDB meta page`;
  const page0 = meta(first, 0);
  if (typeof page0 === 'string') return `page 0: ${page0}`;
  const { pageSize } = page0;
  if (size < 2 * pageSize) return `is ${size} bytes, shorter than its two ${pageSize}-byte meta pages`;
  const page1 = meta(read(fd, pageSize, META.end), 1);
  if (typeof page1 === 'string') return `page 1: ${page1}`;
  if (page1.pageSize !== pageSize) return `has meta pages of different page sizes (${pageSize} and ${page1.pageSize})`;
  for (const m of [page0, page1]) {
    const need = (m.lastPage + 1n) * BigInt(pageSize);
    if (BigInt(size) < need) return `is ${size} bytes, but its meta page (transaction ${m.txnId}) needs ${need} (pages 0–${m.lastPage}): it was truncated`;
  }
  const newest = page1.txnId > page0.txnId ? page1 : page0;
  for (const root of newest.roots) {
    if (root === NO_PAGE) continue;
    if (root < 2n || root > newest.lastPage) return `names root page ${root}, outside pages 2–${newest.lastPage}`;
    const header = read(fd, Number(root) * pageSize, PAGE_HEADER);
    const flags = header.readUInt16LE(18);
    if (header.readBigUInt64LE(0) !== root || (flags & (P_BRANCH | P_LEAF)) === 0) {
      return `has no valid tree page at root page ${root} (found page number ${header.readBigUInt64LE(0)}, flags 0x${flags.toString(16)})`;
    }
  }
  return null;
}

function meta(page: Buffer, pageNumber: number): Meta | string {
  if (page.length < META.end) return 'cut short';
  const flags = page.readUInt16LE(18);
  const magic = page.readUInt32LE(META.magic);
  if (magic !== MAGIC || (flags & P_META) === 0 || page.readBigUInt64LE(0) !== BigInt(pageNumber)) {
    return `not an LMDB meta page (magic 0x${magic.toString(16)}, flags 0x${flags.toString(16)})`;
  }
  const version = page.readUInt32LE(META.version);
  if (version !== DATA_VERSION) return `LMDB data version ${version}, this build reads version ${DATA_VERSION}`;
  const pageSize = page.readUInt32LE(META.pageSize);
  if (pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0) return `page size ${pageSize} is not a power of two in 512–65536`;
  return {
    pageSize,
    lastPage: page.readBigUInt64LE(META.lastPage),
    txnId: page.readBigUInt64LE(META.txnId),
    roots: [page.readBigUInt64LE(META.freeRoot), page.readBigUInt64LE(META.mainRoot)],
  };
}

function read(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const n = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, n);
}
