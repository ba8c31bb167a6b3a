/**
 * The device behaviour beyond heating rooms and shutters, caught up with the world: AC rooms,
 * VELUX gateways, energy meters and boiler run time. Order matters: rooms change temperature
 * before boilers read their demand.
 */
import { untrackMirrorActors } from './covers.js';
import { MeterLedger } from './meters.js';
import { RoomClimate } from './room-climate.js';
import { VeluxGateways } from './velux.js';
import type { World } from './world.js';

export class DeviceModels {
  readonly climate: RoomClimate;
  readonly velux: VeluxGateways;
  readonly meters: MeterLedger;

  constructor(world: World, now: number) {
    for (const home of world.homes.values()) untrackMirrorActors(home);
    this.climate = new RoomClimate(world);
    this.velux = new VeluxGateways(world, now);
    this.meters = new MeterLedger(world, now);
  }

  advance(now: number, dtMs: number): void {
    this.climate.advance(now, dtMs);
    this.velux.advance(now);
    this.meters.advance(now);
  }
}
