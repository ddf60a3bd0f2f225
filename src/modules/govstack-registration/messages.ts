import { defineMessages } from '../../kernel/i18n/index.js';

/** Text of the GovStack Registration API's errors (shown only if a person's browser lands on one). */
export const govstackRegistrationMessages = defineMessages('govstack-registration', {
  en: {
    'govstack.registration.purpose.cases': 'Case handling through the GovStack Registration API',
    'govstack.registration.error.eFormNotFound': 'E-form not found',
    'govstack.registration.error.eFormMismatch': 'The answers were made for an older version of the form. Fetch the current form and answer it again',
    'govstack.registration.error.personRequired': 'Only a signed-in person can do this',
    'govstack.registration.error.clientMismatch': 'The calling system named itself differently from its access token',
  },
  'zh-CN': {
    'govstack.registration.purpose.cases': '通过 GovStack 登记服务接口办理案件',
    'govstack.registration.error.eFormNotFound': '未找到电子表单',
    'govstack.registration.error.eFormMismatch': '这些回答是针对旧版表单填写的，请获取当前表单后重新填写',
    'govstack.registration.error.personRequired': '只有已登录的个人才能执行此操作',
    'govstack.registration.error.clientMismatch': '调用系统声明的身份与其访问令牌不一致',
  },
});
