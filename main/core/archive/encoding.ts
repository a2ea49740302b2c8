// PostgreSQL encoding names to a TextDecoder: names in a dump are stored in the database encoding.

export function decoderFor(pgEncoding: string | undefined): TextDecoder {
  const e = (pgEncoding ?? 'UTF8').toUpperCase().replace(/[-_]/g, '');
  const latin: Record<string, string> = {
    LATIN1: 'iso-8859-1',
    LATIN2: 'iso-8859-2',
    LATIN3: 'iso-8859-3',
    LATIN4: 'iso-8859-4',
    LATIN5: 'iso-8859-9',
    LATIN6: 'iso-8859-10',
    LATIN7: 'iso-8859-13',
    LATIN8: 'iso-8859-14',
    LATIN9: 'iso-8859-15',
    LATIN10: 'iso-8859-16',
    KOI8R: 'koi8-r',
    KOI8U: 'koi8-u',
    EUCJP: 'euc-jp',
    EUCKR: 'euc-kr',
    EUCCN: 'gb18030',
    GB18030: 'gb18030',
    BIG5: 'big5',
    SJIS: 'shift_jis',
    WIN866: 'ibm866',
  };
  const label = latin[e] ?? (/^WIN(\d+)$/.exec(e) ? `windows-${e.slice(3)}` : /^ISO8859(\d+)$/.exec(e) ? `iso-8859-${e.slice(7)}` : 'utf-8');
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('utf-8');
  }
}
