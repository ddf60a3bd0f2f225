import { defineMessages } from '../i18n/catalog.js';

export const idempotencyMessages = defineMessages('idempotency', {
  en: {
    'idempotency.error.reused': 'This request key was already used for a different request. Send a new key',
    'idempotency.error.inFlight': 'The same request is still being processed. Wait a moment and try again',
  },
  'zh-CN': {
    'idempotency.error.reused': '此请求密钥已用于另一个不同的请求，请使用新的密钥',
    'idempotency.error.inFlight': '相同的请求仍在处理中，请稍候再试',
  },
});
