import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Account, bearer, createCourseModule, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/**
 * Reading comprehension through HTTP, with nothing configured: a passage is uploaded, questions
 * that reword it are asked, and the local tutor's answer must hold the passage's span that answers
 * each one, while a question from another subject gets a decline with no sources.
 */

const LOVELACE = `# Ada Lovelace

Ada Lovelace was an English mathematician and writer, chiefly known for her work on Charles Babbage's proposed mechanical general-purpose computer, the Analytical Engine. Born Augusta Ada Byron in London in 1815, she was the only legitimate child of the poet Lord Byron. Her mother, Anne Isabella Milbanke, insisted that she study mathematics and logic. In 1843 she translated an article by the Italian engineer Luigi Menabrea about the engine and added her own notes, which were three times longer than the article. The notes include an algorithm to compute Bernoulli numbers, often called the first computer program. She died in 1852 of uterine cancer at the age of 36. The programming language Ada, created for the United States Department of Defense, was named after her.
`;

const SALT = `# Salt marshes

A salt marsh is a coastal wetland that is flooded and drained by salt water brought in by the tides. The plants that grow there, such as cordgrass, tolerate salt and trap sediment with their roots. Salt marshes protect shorelines from erosion by absorbing the energy of waves. They also store large amounts of carbon in their waterlogged soil, which is why they are counted among the most important carbon sinks on Earth.
`;

const PANAMA = `The Panama Canal is an artificial waterway in Panama that connects the Atlantic Ocean with the Pacific Ocean. France began work on the canal in 1881 under Ferdinand de Lesseps, the builder of the Suez Canal, but the effort failed because of engineering problems and a high death rate from malaria and yellow fever. The United States took over the project in 1904 and opened the canal on August 15, 1914. The canal was controlled by the United States until 1999, when it was handed over to Panama.
`;

const HUBBLE = `# The Hubble Space Telescope

The Hubble Space Telescope is a space telescope that was launched into low Earth orbit by the Space Shuttle Discovery in April 1990. It is named after the astronomer Edwin Hubble, who showed that the universe is expanding. Soon after launch, engineers found that its main mirror had been ground to the wrong shape. As a result its first images were blurry. Funding for the project was approved under President Gerald R. Ford in 1977. The telescope was built by NASA with contributions from the European Space Agency.
`;

type ChatAnswer = { conversation_id: string; answer: string; sources: unknown[] };

describe('the local tutor on reading-comprehension questions', () => {
  let t: TestApp;
  let admin: Account;
  let student: Account;
  let module: string;

  async function ask(message: string): Promise<ChatAnswer> {
    const response = await t.http.post('/api/chat').set(bearer(student)).send({ message, module_id: module });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.data as ChatAnswer;
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { CHAT_REQUESTS_PER_MINUTE: '1000' } });
    admin = await loginAdmin(t.http);
    module = await createCourseModule(t, admin, 'Reading', LOVELACE);
    const response = await t.http
      .post(`/api/admin/modules/${module}/resources`)
      .set(bearer(admin))
      .send({ title: 'Salt marshes', content: SALT, format: 'markdown' });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    for (const [title, content] of [
      ['passage-2.txt', PANAMA],
      ['The Hubble Space Telescope', HUBBLE],
    ]) {
      const upload = await t.http
        .post(`/api/admin/modules/${module}/resources`)
        .set(bearer(admin))
        .send({ title, content, format: 'markdown' });
      assert.equal(upload.status, 201, JSON.stringify(upload.body));
    }
    student = await register(t.http);
  });
  afterAll(() => t.close());

  it('should prefer the sentence that names the place over one that only repeats the question words', async () => {
    // "Ada Lovelace was an English mathematician…" shares more words with the question; the
    // sentence that answers it says "Born … in London".
    const data = await ask('Where was Ada Lovelace born?');
    expect(data.answer).toContain('London');
    expect(data.sources.length).toBeGreaterThan(0);
  });

  it('should answer a question that rewords the passage ("her death" for "she died")', async () => {
    const data = await ask("In what year did Lovelace's death occur?");
    expect(data.answer).toContain('1852');
  });

  it('should not take a year the question gives for the answer it asks', async () => {
    const data = await ask('Whose article did she translate in 1843?');
    expect(data.answer).toContain('Luigi Menabrea');
  });

  it('should answer "which …" with the sentence naming the thing asked for', async () => {
    const data = await ask('Which programming language was named after her?');
    expect(data.answer).toMatch(/programming language Ada/);
  });

  it('should answer a question whose framing words ("what kind of") the passage does not repeat', async () => {
    const data = await ask('What kind of wetland is a salt marsh?');
    expect(data.answer).toContain('coastal wetland');
  });

  it('should keep answers short', async () => {
    const data = await ask('What did the notes of Ada Lovelace include?');
    expect(data.answer).toContain('Bernoulli numbers');
    expect(data.answer.split(/\s+/).length).toBeLessThanOrEqual(45);
  });

  it('should answer a question that says "the French attempt" of a passage on what France did', async () => {
    const data = await ask('Who led the French effort on the canal?');
    expect(data.answer).toContain('Ferdinand de Lesseps');
    expect(data.sources.length).toBeGreaterThan(0);
  });

  it('should answer "which two…" with the sentence naming both', async () => {
    const data = await ask('Which two oceans does the canal join?');
    expect(data.answer).toContain('the Atlantic Ocean with the Pacific Ocean');
  });

  it('should open with the sentence that answers when it speaks of its subject as "It"', async () => {
    const data = await ask('Who is the telescope named after?');
    expect(data.answer).toMatch(/^It is named after the astronomer Edwin Hubble/);
  });

  it('should keep a name with an initial whole, and give the cause before "As a result…"', async () => {
    const president = await ask('Under which president was funding approved?');
    expect(president.answer).toContain('President Gerald R. Ford in 1977');
    const why = await ask('Why were the first images of the telescope blurry?');
    expect(why.answer).toContain('ground to the wrong shape');
  });

  it('should decline a question from another subject with no sources', async () => {
    for (const question of ['Who painted the Mona Lisa?', 'What is the boiling point of water at sea level?']) {
      const data = await ask(question);
      expect(data.sources).toEqual([]);
      expect(data.answer).toMatch(/does not cover/);
    }
  });
});
