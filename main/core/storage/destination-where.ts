// What a destination is and where it keeps its objects, in words a DBA recognises: the CLI's list,
// the engine's messages and the app's Destinations page all say it from here. Import-free (types
// only): the renderer (bundled by Vite) reads the same functions.
import type { DestinationSpec, DestinationType } from './destination-settings.ts';

export const DESTINATION_TYPE_LABELS: Record<DestinationType, string> = {
  directory: 'Directory',
  s3: 'S3',
  azure: 'Azure Blob',
  sftp: 'SFTP',
};

/** Where a destination keeps its objects: a path, or a URL of its medium. */
export function describeSpec(spec: DestinationSpec): string {
  if (spec.type === 'directory') return spec.settings.path;
  if (spec.type === 'azure') return `azure://${spec.settings.container}${spec.settings.prefix ? `/${spec.settings.prefix}` : ''}`;
  if (spec.type === 'sftp') return `sftp://${spec.settings.user}@${spec.settings.host}:${spec.settings.port}${spec.settings.path.startsWith('/') ? '' : '/~/'}${spec.settings.path}`;
  const { bucket, prefix, endpoint } = spec.settings;
  return `s3://${bucket}${prefix ? `/${prefix}` : ''}${endpoint ? ` at ${endpoint}` : ''}`;
}
