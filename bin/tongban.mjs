#!/usr/bin/env node
// Launcher for `npx tongban …`: loads TypeScript through tsx, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./tongban.ts');
