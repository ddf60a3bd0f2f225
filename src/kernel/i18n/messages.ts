import { defineMessages } from './catalog.js';

export const kernelMessages = defineMessages('kernel', {
  en: {
    'kernel.error.validation': 'There is a problem with what was sent',
    'kernel.error.fieldInvalid': 'Check this answer',
    'kernel.error.nulCharacter': 'Remove the invisible control character (NUL) from this answer',
    'kernel.error.notFound': 'Page not found',
    'kernel.error.unauthenticated': 'You need to sign in to see this page',
    'kernel.error.forbidden': 'You do not have permission to do this',
    'kernel.error.csrf': 'This form has expired. Go back, refresh the page and try again',
    'kernel.error.rateLimited': 'Too many attempts. Wait a minute and try again',
    'kernel.error.bodyTooLarge': 'What you sent is too large',
    'kernel.error.bodyTooDeep': 'What you sent is nested too deeply. Send at most 64 levels of lists and objects',
    'kernel.error.unavailable': 'Sorry, the service is unavailable. Try again in a few minutes',
    'kernel.error.internal': 'Sorry, there is a problem with the service. Try again later',
    'kernel.error.conflict': 'This was changed by someone else. Refresh the page and try again',
  },
  'zh-CN': {
    'kernel.error.validation': '提交的内容有问题',
    'kernel.error.fieldInvalid': '请检查此项',
    'kernel.error.nulCharacter': '请删除此项中的不可见控制字符（NUL）',
    'kernel.error.notFound': '页面不存在',
    'kernel.error.unauthenticated': '请先登录后再查看此页面',
    'kernel.error.forbidden': '您没有权限执行此操作',
    'kernel.error.csrf': '表单已过期。请返回、刷新页面后重试',
    'kernel.error.rateLimited': '尝试次数过多，请一分钟后再试',
    'kernel.error.bodyTooLarge': '提交的内容过大',
    'kernel.error.bodyTooDeep': '提交的内容嵌套层级过多，列表和对象最多嵌套 64 层',
    'kernel.error.unavailable': '抱歉，服务暂时不可用，请几分钟后再试',
    'kernel.error.internal': '抱歉，服务出现问题，请稍后再试',
    'kernel.error.conflict': '此内容已被他人修改，请刷新页面后重试',
  },
});
