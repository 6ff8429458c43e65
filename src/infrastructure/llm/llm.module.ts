import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { UsageService } from '../../usage/usage.service';
import { remoteProviders } from './remote-providers';
import { LlmProvider } from './llm-provider';
import { LocalLlmProvider } from './local-llm.provider';
import { MeteredLlmProvider } from './metered-llm.provider';

/** The local provider, where modules register their local algorithms (grading, questions). */
export const LOCAL_LLM = Symbol('LOCAL_LLM');

/**
 * The language model chosen by configuration, wrapped so every call's tokens are recorded for the
 * user it was made for. Inject `LlmProvider`.
 */
@Global()
@Module({
  providers: [
    { provide: LOCAL_LLM, useFactory: () => new LocalLlmProvider() },
    {
      provide: LlmProvider,
      inject: [APP_CONFIG, LOCAL_LLM, UsageService],
      useFactory: (config: AppConfig, local: LocalLlmProvider, usage: UsageService) => {
        const { models } = config;
        const inner =
          models.llmProvider === 'local'
            ? local
            : remoteProviders().createLlmProvider({
                provider: models.llmProvider,
                azure: {
                  endpoint: models.azure.endpoint,
                  apiKey: models.azure.apiKey,
                  apiVersion: models.azure.apiVersion,
                  chatDeployment: models.azure.chatDeployment,
                },
                openai: { baseUrl: models.openai.baseUrl, apiKey: models.openai.apiKey, chatModel: models.openai.chatModel },
                timeoutMs: models.timeoutMs,
                maxRetries: models.maxRetries,
              });
        return new MeteredLlmProvider(inner, usage, usage.onRecordError);
      },
    },
  ],
  exports: [LlmProvider, LOCAL_LLM],
})
export class LlmModule {}
