/**
 * The fictional demo brand: 岚山汽车 (Lanshan Auto), its three series and its dealer network. Every
 * name and number here is made up.
 */

export const BRAND = { name: '岚山汽车', nameEn: 'Lanshan Auto', code: 'LS' } as const;

export interface DemoModel {
  name: string;
  priceFen: number;
}
export interface DemoSeries {
  name: string;
  kind: 'SUV' | 'sedan' | 'EV';
  /** The VIN's vehicle descriptor section (positions 4–8). */
  vds: string;
  models: DemoModel[];
  /** Share of interest among people who name a series. */
  weight: number;
}

const yuan = (y: number) => y * 100;

export const SERIES: readonly DemoSeries[] = [
  {
    name: '山岚',
    kind: 'SUV',
    vds: 'SU2A4',
    weight: 0.42,
    models: [
      { name: '山岚 2.0T 两驱豪华版', priceFen: yuan(189_800) },
      { name: '山岚 2.0T 四驱旗舰版', priceFen: yuan(229_800) },
    ],
  },
  {
    name: '云岚',
    kind: 'sedan',
    vds: 'SD1B5',
    weight: 0.27,
    models: [
      { name: '云岚 1.5T 舒适版', priceFen: yuan(129_800) },
      { name: '云岚 1.5T 尊贵版', priceFen: yuan(149_800) },
    ],
  },
  {
    name: '星岚',
    kind: 'EV',
    vds: 'EV3C6',
    weight: 0.31,
    models: [
      { name: '星岚 长续航版', priceFen: yuan(199_800) },
      { name: '星岚 性能版', priceFen: yuan(239_800) },
    ],
  },
];

export interface DemoCity {
  name: string;
  province: string;
  /** Two-letter code used in dealer codes. */
  code: string;
  region: string;
  dealers: number;
  /** Relative number of people living there. */
  weight: number;
}

export interface DemoRegion {
  code: string;
  name: string;
  groups: { code: string; name: string }[];
}

export const REGIONS: readonly DemoRegion[] = [
  { code: 'NORTH', name: '华北大区', groups: [{ code: 'G-JINGJIN', name: '京津汽车集团' }, { code: 'G-YANZHAO', name: '燕赵汽贸集团' }] },
  { code: 'EAST', name: '华东大区', groups: [{ code: 'G-HAIPAI', name: '海派汽车集团' }, { code: 'G-JIANGNAN', name: '江南汽贸集团' }] },
  { code: 'SOUTH', name: '华南大区', groups: [{ code: 'G-LINGNAN', name: '岭南汽车集团' }, { code: 'G-MINYUE', name: '闽粤汽贸集团' }] },
  { code: 'WEST', name: '西部大区', groups: [{ code: 'G-BASHU', name: '巴蜀汽车集团' }, { code: 'G-QINCHUAN', name: '秦川汽贸集团' }] },
];

export const CITIES: readonly DemoCity[] = [
  { name: '北京', province: '北京', code: 'BJ', region: 'NORTH', dealers: 5, weight: 12 },
  { name: '天津', province: '天津', code: 'TJ', region: 'NORTH', dealers: 2, weight: 5 },
  { name: '石家庄', province: '河北', code: 'SJ', region: 'NORTH', dealers: 2, weight: 4 },
  { name: '上海', province: '上海', code: 'SH', region: 'EAST', dealers: 5, weight: 13 },
  { name: '杭州', province: '浙江', code: 'HZ', region: 'EAST', dealers: 3, weight: 7 },
  { name: '南京', province: '江苏', code: 'NJ', region: 'EAST', dealers: 3, weight: 6 },
  { name: '苏州', province: '江苏', code: 'SZ', region: 'EAST', dealers: 2, weight: 5 },
  { name: '广州', province: '广东', code: 'GZ', region: 'SOUTH', dealers: 4, weight: 10 },
  { name: '深圳', province: '广东', code: 'SN', region: 'SOUTH', dealers: 4, weight: 10 },
  { name: '福州', province: '福建', code: 'FZ', region: 'SOUTH', dealers: 2, weight: 4 },
  { name: '成都', province: '四川', code: 'CD', region: 'WEST', dealers: 3, weight: 8 },
  { name: '重庆', province: '重庆', code: 'CQ', region: 'WEST', dealers: 3, weight: 8 },
  { name: '西安', province: '陕西', code: 'XA', region: 'WEST', dealers: 2, weight: 5 },
];

/** Districts used in dealer names, per city (a dealer takes the next one). */
export const DISTRICTS: Readonly<Record<string, readonly string[]>> = {
  北京: ['朝阳', '海淀', '丰台', '大兴', '顺义'],
  天津: ['河西', '滨海'],
  石家庄: ['长安', '裕华'],
  上海: ['浦东', '闵行', '嘉定', '宝山', '徐汇'],
  杭州: ['西湖', '滨江', '萧山'],
  南京: ['江宁', '鼓楼', '浦口'],
  苏州: ['工业园区', '吴中'],
  广州: ['天河', '番禺', '白云', '黄埔'],
  深圳: ['南山', '福田', '龙岗', '宝安'],
  福州: ['仓山', '鼓楼'],
  成都: ['武侯', '高新', '成华'],
  重庆: ['渝北', '九龙坡', '南岸'],
  西安: ['雁塔', '未央'],
};

export const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高',
  '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '潘', '袁', '蔡', '蒋', '余',
  '于', '杜', '叶', '程', '魏', '苏', '吕', '丁', '任', '卢', '姚', '沈', '钟', '姜', '崔', '谭', '陆', '范', '汪', '廖',
] as const;
export const GIVEN_MALE = ['伟', '强', '磊', '军', '勇', '杰', '涛', '明', '超', '浩', '鹏', '宇', '博', '俊', '峰', '晨', '凯', '建国', '志强', '子轩', '浩然', '宇航', '文博', '天佑', '一鸣'] as const;
export const GIVEN_FEMALE = ['芳', '娜', '敏', '静', '丽', '婷', '雪', '琳', '颖', '倩', '洁', '悦', '欣', '佳怡', '雨桐', '思琪', '梓涵', '诗涵', '晓燕', '慧敏', '可欣', '婉清'] as const;

/** Mainland mobile prefixes in use (numbers drawn from them are synthetic). */
export const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '166', '176', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '198', '199'] as const;
