import { defineMessages } from '../../kernel/i18n/index.js';

/** Text of the GovStack Registration API's errors (shown only if a person's browser lands on one). */
export const govstackRegistrationMessages = defineMessages('govstack-registration', {
  en: {
    'govstack.registration.error.eFormNotFound': 'E-form not found',
    'govstack.registration.error.clientHeader': 'The calling system did not say who it is',
    'govstack.registration.error.clientMismatch': 'The calling system named itself differently from its access token',
  },
  'zh-CN': {
    'govstack.registration.error.eFormNotFound': '未找到电子表单',
    'govstack.registration.error.clientHeader': '调用系统未说明其身份',
    'govstack.registration.error.clientMismatch': '调用系统声明的身份与其访问令牌不一致',
  },
});
