// The engine quotes commands in its sentences with backticks (`holdfast daemon`), which read well in a
// terminal; the UI shows those spans as code instead of printing the backticks.
export interface TextPart {
  code: boolean;
  text: string;
}

export function splitInlineCode(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const pattern = /`([^`]+)`/g;
  let from = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > from) parts.push({ code: false, text: text.slice(from, match.index) });
    parts.push({ code: true, text: match[1]! });
    from = match.index + match[0].length;
  }
  if (from < text.length || parts.length === 0) parts.push({ code: false, text: text.slice(from) });
  return parts;
}
