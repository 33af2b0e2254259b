/**
 * The demo: Laurel and an emulated LMS (Canvas by default) with a seeded course, Laurel
 * registered in it as an admin would, its API connected (Canvas REST or Moodle web services),
 * and links that launch as the instructor and a learner.
 * The LMS runs on 127.0.0.1 and Laurel on localhost: two sites, as in real life, so the
 * browser treats Laurel's cookies in the course iframe as third-party.
 */
import type { Logger } from 'pino';
import { loadConfig } from '../../config/index.js';
import { boot, type Running } from '../../src/boot.js';
import { startEmulator, type Emulator, type EmulatorOptions, type Flavour } from '../emulator/index.js';
import { installInEmulator } from './installInEmulator.js';
import { defineDemoBadges, demoLearner } from './demoBadges.js';
import { connectDemoLms } from './demoConnection.js';

export interface Demo {
  emulator: Emulator;
  running: Running;
  laurelUrl: string;
  instructorUrl: string;
  learnerUrl: string;
  stop(): Promise<void>;
}

export async function startDemo(o: { flavour: Flavour; env: Record<string, string | undefined>; logger: Logger; emulatorPort?: number; emulatorTls?: EmulatorOptions['tls']; emulatorCloudHosts?: EmulatorOptions['cloudHosts'] }): Promise<Demo> {
  const config = loadConfig(o.env);
  const emulator = await startEmulator({ flavour: o.flavour, port: o.emulatorPort ?? 0, host: '127.0.0.1', tls: o.emulatorTls, cloudHosts: o.emulatorCloudHosts });
  const running = await boot(config, o.logger);
  const tool = await installInEmulator(emulator, config.publicUrl);
  await running.laurel.platformOrigins.refresh();
  await defineDemoBadges(emulator, tool);
  await connectDemoLms(emulator, tool, config.publicUrl);
  const first = (role: string) => emulator.course.users.find((u) => u.role === role && u.status === 'Active')!;
  return {
    emulator,
    running,
    laurelUrl: config.publicUrl,
    instructorUrl: emulator.launchUrl({ userId: first('Instructor').id, clientId: tool.clientId, embed: true }),
    learnerUrl: emulator.launchUrl({ userId: demoLearner(emulator).id, clientId: tool.clientId, embed: true }),
    stop: async () => {
      await running.stop();
      await emulator.close();
    },
  };
}
