// INTERIM until coord-17 milestone 1 lands: removed then (the host uses createCoordination).
import type { Coordination } from '../../src/coordination/types.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';

export function interimCoordination(): Coordination {
  let owned: string[] = [];
  let handlers: { lost(a: string): Promise<void> } | undefined;
  return {
    mode: 'local',
    account: (spec) => ({ account: spec.name, tokens: new FileTokenStore(spec.dataDir) }),
    leases: {
      async start(accounts, h) {
        handlers = h;
        for (const a of accounts) {
          owned.push(a);
          await h.acquired(a);
        }
      },
      async stop() {
        const was = owned;
        owned = [];
        for (const a of was) await handlers?.lost(a);
      },
      holds: (a) => owned.includes(a),
      owned: () => [...owned],
    },
    health: () => ({ mode: 'local', connected: true, process: 'interim-1', owned: [...owned] }),
    close: async () => {},
  };
}
