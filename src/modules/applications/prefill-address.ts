import type { Address } from '../../forms/index.js';

// The four municipalities are a province and a city at once: 北京市东城区… has no separate city.
const MUNICIPALITIES = ['北京市', '天津市', '上海市', '重庆市'];
const PROVINCE = /^(.+?(?:省|自治区|特别行政区))/;
const CITY = /^(.+?(?:市|自治州|地区|盟))/;
const DISTRICT = /^(.+?(?:区|县|市|旗))/;

/**
 * A registry's one-line Chinese address ("北京市东城区示例街道 1 号") as the address field's parts.
 * Registers keep the household address as one line, from the largest area to the smallest; the
 * form asks for the parts. Undefined when the line does not start with a province, a city and a
 * district: the person then types the address, rather than getting a wrong split.
 */
export function toAddress(line: string): Address | undefined {
  let rest = line.trim();
  let province: string | undefined;
  let city: string | undefined;
  const municipality = MUNICIPALITIES.find((m) => rest.startsWith(m));
  if (municipality) {
    province = municipality;
    city = municipality;
    rest = rest.slice(municipality.length);
  } else {
    province = PROVINCE.exec(rest)?.[1];
    if (!province) return undefined;
    rest = rest.slice(province.length);
    city = CITY.exec(rest)?.[1];
    if (!city) return undefined;
    rest = rest.slice(city.length);
  }
  const district = DISTRICT.exec(rest)?.[1];
  if (!district) return undefined;
  const line1 = rest.slice(district.length).trim();
  if (!line1) return undefined;
  return { province, city, district, line1 };
}
