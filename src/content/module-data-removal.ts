import { Injectable } from '@nestjs/common';

export type ModuleDataRemover = (moduleId: string) => Promise<unknown>;

/**
 * Deleting a module (alone, or with its course) removes what was made for it in other features,
 * such as its questions. Each feature that stores per-module data registers how to remove it here,
 * so Content needs no import of them.
 */
@Injectable()
export class ModuleDataRemoval {
  private readonly removers = new Map<string, ModuleDataRemover>();

  register(name: string, remover: ModuleDataRemover): void {
    this.removers.set(name, remover);
  }

  async removeAll(moduleId: string): Promise<void> {
    for (const remover of this.removers.values()) await remover(moduleId);
  }
}
