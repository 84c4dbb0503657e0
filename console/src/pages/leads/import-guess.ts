import { IMPORT_FIELDS, type ImportField } from '@contracts/lead-sources';

/** Header names DMS exports commonly use for each lead field (compared without case, spaces, _ or -). */
const HEADER_NAMES: Record<ImportField, readonly string[]> = {
  externalId: ['externalid', '线索编号', '线索id', '线索号', '编号', 'leadid', 'id'],
  channel: ['channel', '渠道', '子渠道', '来源渠道'],
  campaign: ['campaign', '活动', '营销活动', '活动名称'],
  name: ['name', '姓名', '客户姓名', '客户名称', '客户'],
  phone: ['phone', 'mobile', '手机', '手机号', '手机号码', '电话', '联系电话', '联系方式'],
  city: ['city', '城市', '所在城市'],
  province: ['province', '省份', '省', '所在省份'],
  series: ['series', '车系', '意向车系'],
  model: ['model', '车型', '意向车型'],
  dealerCode: ['dealercode', 'dealer', '经销商代码', '经销商编码', '门店代码', '经销商'],
  consultant: ['consultant', '顾问', '销售顾问', '顾问账号'],
  createdAt: ['createdat', 'created', '创建时间', '留资时间', '线索时间', '日期', '时间'],
};

const normalise = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

/** A first guess of the field each header holds; each field goes to one header at most. */
export function guessMapping(headers: string[]): Record<string, ImportField | undefined> {
  const out: Record<string, ImportField | undefined> = {};
  const taken = new Set<ImportField>();
  for (const header of headers) {
    const h = normalise(header);
    const field = IMPORT_FIELDS.find((f) => !taken.has(f) && HEADER_NAMES[f].includes(h));
    if (!field) continue;
    taken.add(field);
    out[header] = field;
  }
  return out;
}
