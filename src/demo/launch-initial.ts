import type { INestApplicationContext } from '@nestjs/common';
import { WavesService } from '../mailings/waves.service';

/** Launches a demo survey's initial mailing and waits (up to two minutes) until its print files and e-mails are done. */
export async function launchInitialAndWait(app: INestApplicationContext, survey: string): Promise<void> {
  const waves = app.get(WavesService);
  await waves.launch(survey, 'initial', 'demo');
  for (let i = 0; i < 600; i++) {
    const [step] = (await waves.status(survey, 'initial')).steps;
    if (!step.channels.postal.waiting && !step.channels.email.waiting && !step.printFiles.planned) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
