// Archive constants (pg_backup_archiver.h, pg_backup.h), stated once for every reader.

export const vers = (major: number, minor: number, rev = 0) => (major * 256 + minor) * 256 + rev;
export const K_VERS_1_0 = vers(1, 0);
export const K_VERS_1_2 = vers(1, 2);
export const K_VERS_1_3 = vers(1, 3);
export const K_VERS_1_4 = vers(1, 4);
export const K_VERS_1_5 = vers(1, 5);
export const K_VERS_1_6 = vers(1, 6);
export const K_VERS_1_7 = vers(1, 7);
export const K_VERS_1_8 = vers(1, 8);
export const K_VERS_1_9 = vers(1, 9);
export const K_VERS_1_10 = vers(1, 10);
export const K_VERS_1_11 = vers(1, 11);
export const K_VERS_1_14 = vers(1, 14);
export const K_VERS_1_15 = vers(1, 15);
export const K_VERS_1_16 = vers(1, 16);
export const K_VERS_MAX = vers(1, 16, 255);

export const ARCH_CUSTOM = 1;
export const ARCH_TAR = 3; // toc.dat of both tar and directory dumps carries the tar code

export const K_OFFSET_POS_NOT_SET = 1;
export const K_OFFSET_POS_SET = 2;
export const K_OFFSET_NO_DATA = 3;

export const BLK_DATA = 1;
export const BLK_BLOBS = 3;

/** dumpTableData_copy() ends every COPY data stream with this, so its absence means a cut-off file. */
export const COPY_TAIL = Buffer.from('\\.\n\n\n', 'latin1');

/** The first four bytes (little-endian) of a zstd and an lz4 frame, as pg_dump -Z zstd/lz4 writes them. */
export const ZSTD_MAGIC = 0xfd2fb528;
export const LZ4_MAGIC = 0x184d2204;
