/** The meta tag the build adds to name React's chunk (vite.config.ts), which the early script preloads on every page but Backups. */
export const MOUNT_CHUNK_META = 'holdfast-mount-chunk';
