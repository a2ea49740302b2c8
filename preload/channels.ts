// The preload's channel list, derived from the running engine's contract: main passes the names as
// one argument (CHANNELS_ARGUMENT, via webPreferences.additionalArguments) because a sandboxed
// preload cannot load the contract (zod) itself. Nothing here may import anything at run time but
// main/bridge.ts's constants.
import { CHANNELS_ARGUMENT, type Channel } from '../main/bridge.ts';

const CHANNEL_NAME = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/;

/** The argument main adds to the renderer's command line. */
export function channelsArgument(channels: readonly string[]): string {
  return `${CHANNELS_ARGUMENT}${channels.join(',')}`;
}

/** The channel names from the renderer's argv; names that do not look like contract channels are dropped. */
export function channelsFromArgv(argv: readonly string[]): Channel[] {
  const argument = argv.find((arg) => arg.startsWith(CHANNELS_ARGUMENT));
  if (!argument) return [];
  const names = argument.slice(CHANNELS_ARGUMENT.length).split(',');
  return [...new Set(names.filter((name) => CHANNEL_NAME.test(name)))] as Channel[];
}
