// croner, cronstrue and node-cron, each required the first time it is used. cron.ts must answer
// synchronously (a cron-valued setting is checked while the configuration is read), so a dynamic
// import() will not do; and imported statically, the three cost every `holdfast` command ~10 ms of
// CPU before it starts (issue 12, item 22) though a backup never reads a cron expression. Required
// from node_modules (a bundle leaves `requireHere` calls alone), as the natives are: each is a
// single CommonJS file, and every part of Holdfast shares the one copy.
import { createRequire } from 'node:module';
import type * as CronerModule from 'croner';
import type CronstrueClass from 'cronstrue';
import type NodeCronModule from 'node-cron';

const requireHere = createRequire(import.meta.url);

let croner: typeof CronerModule | undefined;
let cronstrue: typeof CronstrueClass | undefined;
let nodeCron: typeof NodeCronModule | undefined;

/** croner: validates expressions and computes next due times in a time zone. */
export function cronerLibrary(): typeof CronerModule {
  croner ??= requireHere('croner') as typeof CronerModule;
  return croner;
}

/** cronstrue: says an expression in words. */
export function cronstrueLibrary(): typeof CronstrueClass {
  cronstrue ??= (requireHere('cronstrue') as { default: typeof CronstrueClass }).default;
  return cronstrue;
}

/** node-cron: validates expressions and drives the long-running hosts' ticks. */
export function nodeCronLibrary(): typeof NodeCronModule {
  nodeCron ??= (requireHere('node-cron') as { default: typeof NodeCronModule }).default;
  return nodeCron;
}
