// A file name in a cell too narrow for all of it: the time it was taken and its extension stay whole
// (on two lines where one cannot hold both), the parts that give way end in an ellipsis (lib/file-name-parts.ts); the cell's title has the full name.
import { fileNameParts } from '../lib/file-name-parts.ts';

export function FileName({ name }: { name: string }) {
  const { prefix, time, rest, extension } = fileNameParts(name);
  return (
    <span className="file-name">
      <span className="file-name__parts">
        {prefix ? <span className="file-name__prefix">{prefix}</span> : null}
        {time ? (
          <span className="file-name__time" data-part="time">
            {time}
          </span>
        ) : null}
        {rest ? <span className="file-name__rest">{rest}</span> : null}
        {extension ? (
          <span className="file-name__extension" data-part="extension">
            {extension}
          </span>
        ) : null}
      </span>
    </span>
  );
}
