import type { TLSSocket } from 'node:tls';

/** Placeholder until measured against Postfix: see DESIGN.md "Known Node 20 traps". */
export async function settleTls13(_socket: TLSSocket): Promise<void> {}
