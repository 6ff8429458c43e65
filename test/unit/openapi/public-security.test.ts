import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiOperation, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { Authenticated, Public } from '../../../src/auth/authenticated.decorator';

@Public()
@Controller('open')
class OpenController {
  @Get()
  @ApiOperation({ summary: 'Open to anyone' })
  read(): string {
    return 'ok';
  }
}

@Authenticated()
@Controller('mixed')
class MixedController {
  @Get('private')
  @ApiOperation({ summary: 'Needs a token' })
  secret(): string {
    return 'ok';
  }

  // Both orders of @Public and @ApiOperation on a method.
  @Get('public-above')
  @Public()
  @ApiOperation({ summary: 'Public, decorator above' })
  above(): string {
    return 'ok';
  }

  @Get('public-below')
  @ApiOperation({ summary: 'Public, decorator below' })
  @Public()
  below(): string {
    return 'ok';
  }
}

describe('@Public in the OpenAPI document', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [OpenController, MixedController] }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter());
    await app.init();
    document = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth(undefined, 'bearer').build());
  });
  afterAll(async () => {
    await app.close();
  });

  it('should declare an empty security on a public controller and on public methods, keeping their summaries', () => {
    expect(document.paths['/open'].get?.security).toEqual([]);
    expect(document.paths['/mixed/public-above'].get).toEqual(
      expect.objectContaining({ security: [], summary: 'Public, decorator above' }),
    );
    expect(document.paths['/mixed/public-below'].get).toEqual(
      expect.objectContaining({ security: [], summary: 'Public, decorator below' }),
    );
  });

  it('should keep the bearer requirement on the routes that need a token', () => {
    expect(document.paths['/mixed/private'].get?.security).toEqual([{ bearer: [] }]);
  });
});
