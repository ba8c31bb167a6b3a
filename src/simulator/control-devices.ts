/**
 * Control endpoints for meters and VELUX gateways (not counted, never faulted):
 *   GET  /__sim/meters                                 every meter
 *   GET  /__sim/meters/reading?module_id=X[&at=S]      its registers now (or at epoch second S)
 *   POST /__sim/meters/reset      {module_id}          Netatmo forgets the history: it restarts empty now
 *   POST /__sim/meters/gap        {module_id, from, to, heal_at?}  buckets over [from, to) go missing (until heal_at)
 *   POST /__sim/meters/duplicate  {module_id, count?}  the next `count` answers repeat their last bucket
 *   POST /__sim/velux             {gateway_id?, is_raining?, busy?, locked?, locking?, secure?, calibrating?, pairing?}
 * Times are epoch seconds, like getmeasure's.
 */
import type { SimulatorCore } from './core.js';
import type { MeterGapRequest, MeterReading } from './device-control-types.js';
import type { Meter } from './world/meters.js';

/** Answer of a control route: status and JSON body; undefined when the route is not one of these. */
type Answer = [status: number, body: unknown];

const MAX_GAPS_PER_METER = 100;
const MAX_DUPLICATES = 100;

export function handleDeviceControl(
  core: SimulatorCore,
  route: string,
  url: URL,
  input: Record<string, unknown>,
): Answer | undefined {
  const { world } = core;
  const ledger = world.devices.meters;
  const now = (): number => world.advance();
  switch (route) {
    case 'GET /__sim/meters':
      now();
      return [200, { meters: ledger.all().map((m) => describe(m)) }];
    case 'GET /__sim/meters/reading': {
      const meter = findMeter(core, url.searchParams.get('module_id'));
      const nowMs = now();
      const at = url.searchParams.get('at');
      const atMs = at === null ? nowMs : seconds(at, 'at') * 1000;
      if (atMs > nowMs) throw new Error('at must not be in the future');
      return [200, reading(meter, atMs)];
    }
    case 'POST /__sim/meters/reset': {
      const meter = findMeter(core, input.module_id);
      const nowMs = now();
      meter.reset(nowMs);
      return [200, reading(meter, nowMs)];
    }
    case 'POST /__sim/meters/gap': {
      const meter = findMeter(core, input.module_id);
      const gap = input as Partial<MeterGapRequest>;
      const from = seconds(gap.from, 'from');
      const to = seconds(gap.to, 'to');
      if (to <= from) throw new Error('to must be after from');
      const healAt = gap.heal_at === undefined ? undefined : seconds(gap.heal_at, 'heal_at');
      if (meter.gaps.length >= MAX_GAPS_PER_METER)
        throw new Error(`at most ${MAX_GAPS_PER_METER} gaps per meter`);
      meter.gaps.push({
        from: from * 1000,
        to: to * 1000,
        ...(healAt === undefined ? {} : { healAt: healAt * 1000 }),
      });
      return [200, reading(meter, now())];
    }
    case 'POST /__sim/meters/duplicate': {
      const meter = findMeter(core, input.module_id);
      const count = input.count === undefined ? 1 : input.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_DUPLICATES) {
        throw new Error(`count must be 1..${MAX_DUPLICATES}`);
      }
      meter.pendingDuplicates += count;
      return [200, reading(meter, now())];
    }
    case 'POST /__sim/velux':
      return [200, world.devices.velux.control(input, now())];
    default:
      return undefined;
  }
}

function findMeter(core: SimulatorCore, id: unknown): Meter {
  if (typeof id !== 'string' || id === '') throw new Error('give module_id, the id of a metering module');
  const meter = core.world.devices.meters.get(id);
  if (!meter) throw new Error(`no meter ${id} (GET /__sim/meters lists them)`);
  return meter;
}

function seconds(value: unknown, name: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1e11) {
    throw new Error(`${name} must be an epoch time in seconds`);
  }
  return n;
}

function describe(meter: Meter): Omit<MeterReading, 'at' | 'registers' | 'total'> {
  return {
    module_id: meter.id,
    home_id: meter.home.topology.id,
    type: meter.type,
    kind: meter.kind,
    unit: meter.unit,
    data_start: Math.floor(meter.dataStart / 1000),
    ...(meter.resetAt === undefined ? {} : { reset_at: Math.floor(meter.resetAt / 1000) }),
    rate: meter.acc.rate,
    gaps: meter.gaps.map((g) => ({
      from: g.from / 1000,
      to: g.to / 1000,
      ...(g.healAt === undefined ? {} : { heal_at: g.healAt / 1000 }),
    })),
    pending_duplicates: meter.pendingDuplicates,
  };
}

function reading(meter: Meter, atMs: number): MeterReading {
  const [basic, peak, offPeak] = meter.registers(atMs);
  return {
    ...describe(meter),
    at: Math.floor(atMs / 1000),
    total: meter.total(atMs),
    registers: { basic, peak, off_peak: offPeak },
  };
}
