// A sentence from the engine (a health reason, the scheduling warning): its `command` spans, quoted
// with backticks for the terminal, shown as code.
import { splitInlineCode } from '../lib/inline-code.ts';

export function EngineText({ text }: { text: string }) {
  return <>{splitInlineCode(text).map((part, index) => (part.code ? <code key={index}>{part.text}</code> : part.text))}</>;
}
