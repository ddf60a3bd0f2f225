import type { Example } from '../example.js';
import { FileUpload } from './file-upload.js';

export const examples: Example[] = [
  { name: 'default', render: (say) => <FileUpload name="photo" label={say('Upload a photo', '上传照片')} hint={say('JPG or PNG, smaller than 5 MB', 'JPG 或 PNG 格式，小于 5 MB')} accept=".jpg,.jpeg,.png" /> },
  { name: 'with current file', render: (say) => <FileUpload name="proof" label={say('Proof of address', '住址证明')} currentFileName="lease.pdf" accept=".pdf" /> },
  { name: 'error', render: (say) => <FileUpload name="scan" label={say('Upload your identity card', '上传身份证')} error={say('The selected file must be smaller than 5 MB', '所选文件必须小于 5 MB')} /> },
];
