import { resetDatabase, startApp, TestApp } from './support/app';
import { startThrowawayRedis, ThrowawayRedis } from './support/throwaway-redis';

describe('GET /health against a Redis that stops', () => {
  let redis: ThrowawayRedis;
  let t: TestApp;
  const previousUrl = process.env.REDIS_URL;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    process.env.REDIS_URL = redis.url;
    t = await startApp();
    await resetDatabase(t.dataSource);
  });

  afterAll(async () => {
    await t?.app.close();
    await redis?.stop();
    process.env.REDIS_URL = previousUrl;
  });

  it('reports Redis up while it runs, then down with 503 once it is stopped', async () => {
    const up = await t.http().get('/health').expect(200);
    expect(up.body).toMatchObject({ status: 'ok', redis: { status: 'up' }, database: { status: 'up' } });

    await redis.stop();

    const down = await t.http().get('/health').expect(503);
    expect(down.body).toMatchObject({ status: 'degraded', database: { status: 'up' }, redis: { status: 'down' } });
    expect(down.body.redis.error).toEqual(expect.any(String));

    // Back up again: the check follows Redis, and the queues can close cleanly.
    await redis.start();
    await t.http().get('/health').expect(200);
  });
});
