import { Type } from 'typebox';

/** `?page=2` on the messages and outbox pages. */
export const pageQuerySchema = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});
