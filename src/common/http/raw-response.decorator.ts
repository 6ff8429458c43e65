import { SetMetadata } from '@nestjs/common';
import { RAW_RESPONSE } from './envelope.interceptor';

/** The handler builds its whole answer itself (streams, or answers with extra top-level fields). */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);
