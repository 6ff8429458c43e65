import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ContentService } from './content.service';
import { CourseModulesRepository } from './course-modules.repository';

/** Shipped with the sources (not compiled), next to this folder in src/. */
export const DEMO_COURSE_DIR = join(__dirname, '..', '..', '..', 'src', 'content', 'demo', 'course');

interface DemoManifest {
  modules: { key: string; title: string; description: string; documents: { file: string; title: string }[] }[];
}

/**
 * Loads the demo course (an introduction to Python, in English and in French) on the first start
 * in development, so someone who just ran `npm start` can search and chat at once. Each module is
 * loaded once: its seed key is unique in the store.
 */
@Injectable()
export class DemoContentSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoContent');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly content: ContentService,
    private readonly modules: CourseModulesRepository,
  ) {}

  /** Runs after start-up without holding it up: the API answers while the course loads. */
  onApplicationBootstrap(): void {
    if (!this.config.seedDemoContent) return;
    void this.seed(DEMO_COURSE_DIR).catch((error: unknown) =>
      this.logger.error(`Loading the demo course failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  async seed(directory: string): Promise<void> {
    const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as DemoManifest;
    for (const entry of manifest.modules) {
      const seedKey = `demo:${entry.key}`;
      if (await this.modules.findBySeedKey(seedKey)) continue;
      const module = await this.content.createModule(null, { title: entry.title, description: entry.description, seedKey });
      for (const document of entry.documents) {
        const bytes = await readFile(join(directory, document.file));
        await this.content.addResource(null, module.id, { bytes, filename: document.file.split('/').pop(), title: document.title });
      }
      this.logger.log(`Demo module "${entry.title}" loaded (${entry.documents.length} documents).`);
    }
  }
}
