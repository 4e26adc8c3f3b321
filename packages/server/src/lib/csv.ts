/** A CSV field: quoted when it must be, and text a spreadsheet would run as a formula made inert. */
export function csvField(value: string | null, text = false): string {
  if (value === null) return '';
  const safe = text && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The records of an RFC 4180 text (quoted fields with "" for a quote, CRLF or LF line ends),
 * each with the line it starts on; blank lines are skipped. Null when a quote is left open.
 */
export function parseCsv(text: string): Array<{ line: number; fields: string[] }> | null {
  const out: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  const endRecord = () => {
    fields.push(field);
    if (any || fields.length > 1 || field !== '') out.push({ line: start, fields });
    fields = [];
    field = '';
    any = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      any = true;
    } else if (c === '\r' && text[i + 1] === '\n') {
      continue;
    } else if (c === '\n') {
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) return null;
  if (field !== '' || fields.length > 0 || any) endRecord();
  return out;
}
