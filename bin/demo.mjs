#!/usr/bin/env node
// `npm run demo`: the whole promise in one go against a real PostgreSQL — back up, verify, dry-run a
// restore, restore into a new database and compare rows. Uses HOLDFAST_DEMO_URL
// (postgresql://user:password@host:port/db) when set; otherwise starts an embedded PostgreSQL 15
// in a temp directory and removes it afterwards. pg_dump/pg_restore/psql come from the system.
import { register } from 'tsx/esm/api';

register();
await import('./demo-run.ts');
