import { Body, Controller, Delete, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiJsonBody, ApiNoContent } from '../common/openapi/api-responses';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { BankQuestionPatch } from './bank-question-rules';
import { BankQuestionRequestDto, QuestionDto, toQuestionDto, UpdateBankQuestionDto } from './evaluation.dto';
import { QuestionBankService } from './question-bank.service';

const MANAGERS =
  "The module's managers: its course's instructors, the owner of an open module, admins (others 403; a module you cannot see is 404). Recorded in the audit log.";

/** The wire's snake_case fields as the bank's rules name them; absent stays absent, null clears. */
function toPatch(body: UpdateBankQuestionDto): BankQuestionPatch {
  return {
    type: body.type,
    question: body.question,
    choices: body.choices,
    answer: body.answer,
    referenceAnswer: body.reference_answer,
    rubric:
      body.rubric === undefined || body.rubric === null
        ? body.rubric
        : body.rubric.map((r) => ({
            criterion: r.criterion,
            maxPoints: r.max_points,
            ...(r.description ? { description: r.description } : {}),
          })),
    explanation: body.explanation,
    difficulty: body.difficulty,
  };
}

@ApiTags('evaluation')
@Authenticated('instructor', 'admin')
@Controller('api/admin')
export class QuestionBankAdminController {
  constructor(private readonly bank: QuestionBankService) {}

  @Post('modules/:id/questions')
  @ApiIdParam()
  @ApiOperation({
    summary: "Write a question into a module's bank",
    description: `${MANAGERS} \`mcq\`: 4 distinct \`choices\` and the \`answer\` among them; \`true_false\`: \`answer\` "true" or "false"; \`short_answer\`: \`reference_answer\` and/or \`rubric\`. Anything else is 400. Students' answers to it (by \`question_id\`) count toward their progress.`,
  })
  @ApiJsonBody(BankQuestionRequestDto, {
    mcq: {
      summary: 'A multiple-choice question',
      value: {
        type: 'mcq',
        question: 'What does range(3) produce?',
        choices: ['0, 1, 2', '1, 2, 3', '0, 1, 2, 3', '3'],
        answer: '0, 1, 2',
        explanation: 'range starts at 0 and stops before 3.',
        difficulty: 'easy',
      },
    },
    short_answer: {
      summary: 'A short-answer question with a rubric',
      value: {
        type: 'short_answer',
        question: 'What is the difference between a parameter and an argument?',
        reference_answer: 'A parameter is the name in the definition; an argument is the value passed in a call.',
        rubric: [
          { criterion: 'Defines a parameter', max_points: 5 },
          { criterion: 'Defines an argument', max_points: 5 },
        ],
      },
    },
  })
  @ApiEnvelope(QuestionDto, { status: 201 })
  @ApiErrors('validation_failed', 'invalid_json', 'not_found')
  async create(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Body() body: BankQuestionRequestDto,
  ): Promise<QuestionDto> {
    return toQuestionDto(await this.bank.create(principal, id, toPatch(body)));
  }

  @Patch('questions/:id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'Change a bank question',
    description: `${MANAGERS} The fields of the creation, each optional; \`null\` clears an optional key field. The question after the change must still satisfy its type's rules (400). Its review cards keep their schedule.`,
  })
  @ApiJsonBody(UpdateBankQuestionDto, { difficulty: { summary: 'A harder question', value: { difficulty: 'hard' } } })
  @ApiEnvelope(QuestionDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found')
  async update(@CurrentPrincipal() principal: Principal, @IdParam() id: string, @Body() body: UpdateBankQuestionDto): Promise<QuestionDto> {
    return toQuestionDto(await this.bank.update(principal, id, toPatch(body)));
  }

  @Delete('questions/:id')
  @HttpCode(204)
  @ApiIdParam()
  @ApiOperation({
    summary: 'Delete a bank question',
    description: `${MANAGERS} Its review cards go with it; the grades of answers to it stay.`,
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'not_found')
  async delete(@CurrentPrincipal() principal: Principal, @IdParam() id: string): Promise<void> {
    await this.bank.delete(principal, id);
  }
}
