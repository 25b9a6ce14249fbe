"""What a supervised province looks like, as numbers and name templates for the demo generator.

Shares are rough orders of magnitude from supervision yearbooks (public places and medical
institutions dominate the entity count; radiation and occupational sites are few); they make the demo
look like the field, they are not statistics.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subtype:
    specialty: str
    key: str  # stored in entity.subtype
    label: str  # Chinese label shown in the interface
    share: float  # of all entities
    suffixes: tuple[str, ...]  # name endings
    nc_rate: float  # base probability an inspection finds non-compliance
    inspections_per_year: float


SUBTYPES: tuple[Subtype, ...] = (
    Subtype("public_place", "hotel", "住宿场所", 0.12, ("宾馆", "酒店", "快捷酒店", "旅社", "大酒店"), 0.10, 1.2),
    Subtype("public_place", "bathhouse", "沐浴场所", 0.05, ("洗浴中心", "浴池", "汗蒸馆"), 0.16, 1.2),
    Subtype("public_place", "barber", "美容美发场所", 0.17, ("理发店", "美发沙龙", "美容院", "美甲店"), 0.14, 1.0),
    Subtype("public_place", "swimming_pool", "游泳场所", 0.02, ("游泳馆", "游泳池", "水上乐园"), 0.18, 2.0),
    Subtype("public_place", "venue", "文化娱乐场所", 0.05, ("KTV", "影城", "网咖", "商场"), 0.08, 0.8),
    Subtype("drinking_water", "central_supply", "集中式供水", 0.003, ("自来水厂", "供水公司", "水务有限公司"), 0.07, 2.0),
    Subtype("drinking_water", "secondary_supply", "二次供水", 0.05, ("小区二次供水", "大厦二次供水"), 0.12, 1.0),
    Subtype("drinking_water", "water_product", "涉水产品", 0.02, ("净水设备有限公司", "水处理材料厂"), 0.09, 0.8),
    Subtype("medical", "hospital", "医院", 0.03, ("人民医院", "中医院", "妇幼保健院", "中心医院"), 0.11, 2.0),
    Subtype("medical", "clinic", "诊所", 0.20, ("诊所", "门诊部", "口腔诊所", "医疗美容诊所"), 0.15, 1.2),
    Subtype("medical", "village_clinic", "村卫生室", 0.12, ("村卫生室", "社区卫生服务站"), 0.13, 0.8),
    Subtype("occupational", "factory", "职业病危害用人单位", 0.04, ("机械制造有限公司", "建材有限公司", "铸造厂"), 0.17, 0.8),
    Subtype("radiation", "radiology", "放射诊疗机构", 0.02, ("医学影像中心", "口腔门诊部", "体检中心"), 0.10, 1.0),
    Subtype("school", "school", "学校", 0.07, ("小学", "中学", "实验学校", "职业技术学院"), 0.08, 1.5),
    Subtype("infectious", "nursery", "托幼机构", 0.02, ("幼儿园", "托育中心"), 0.09, 1.5),
    Subtype("disinfection", "disinfectant", "消毒产品生产企业", 0.01, ("消毒用品有限公司", "卫生用品厂"), 0.13, 1.0),
)

NAME_STEMS: tuple[str, ...] = tuple(
    "华泰 金鼎 鑫源 恒信 同心 康泰 嘉禾 长青 瑞丰 宏达 天成 明德 福瑞 盛世 新华 东方 中原 金水 黄河 嵩山 "
    "龙湖 锦江 如家 汉庭 百合 兰亭 春晖 惠民 仁和 博爱 济世 安康 永安 德馨 育才 启明 阳光 星光 和美 馨悦 "
    "蓝天 碧水 清源 泉城 紫荆 银河 豪庭 世纪 未来 朝阳 正大 信达 鸿运 吉祥 佳美 丽人 时代 华联 万家 益民".split()
)

ROAD_STEMS: tuple[str, ...] = tuple(
    "人民 建设 解放 中山 文化 花园 经三 纬五 黄河 农业 金水 大学 嵩山 商都 工业 健康 光明 和平 胜利 新华".split()
)
ROAD_KINDS: tuple[str, ...] = ("路", "大道", "街", "东路", "西路", "南路", "北路")

# Month weights of routine inspections: the Spring Festival lull in February, the swimming season,
# the start of the school year, the year-end push.
MONTH_WEIGHT = (0.9, 0.5, 1.0, 1.1, 1.1, 1.2, 1.3, 1.2, 1.2, 0.9, 1.1, 1.2)
SEASONAL_BOOST = {"swimming_pool": (6, 7, 8), "school": (3, 9), "nursery": (3, 9)}

FINDINGS = {
    "public_place": ("卫生许可证过期", "从业人员无有效健康合格证明", "公共用品用具未按规定清洗消毒", "未按规定开展卫生检测"),
    "drinking_water": ("水质检测不合格", "未按规定开展水质自检", "供管水人员无健康证明", "水箱未定期清洗消毒"),
    "medical": ("医疗废物处置不规范", "使用非卫生技术人员", "超出登记范围开展诊疗", "消毒隔离制度落实不到位"),
    "occupational": ("未组织职业健康检查", "工作场所职业病危害因素检测超标", "未设置警示标识"),
    "radiation": ("放射工作人员未进行个人剂量监测", "防护设施检测不合格", "未取得放射诊疗许可"),
    "school": ("教室采光照明不达标", "饮用水卫生管理不到位", "传染病防控制度落实不到位"),
    "infectious": ("晨午检记录缺失", "消毒记录不完整", "疫苗接种证查验不到位"),
    "disinfection": ("产品卫生安全评价报告不全", "生产环境不符合规范", "标签说明书不合格"),
}

COMPLAINT_CATEGORIES = {
    "public_place": ("卫生条件差", "无证经营", "毛巾床单不洁"),
    "drinking_water": ("自来水浑浊有异味", "二次供水水箱脏", "停水后水质异常"),
    "medical": ("非法行医", "医疗废物乱丢", "医疗美容纠纷"),
    "occupational": ("粉尘危害", "噪声危害"),
    "radiation": ("放射防护不到位",),
    "school": ("学校饮水问题", "教室环境问题"),
    "infectious": ("传染病防控不力",),
    "disinfection": ("消毒产品虚假宣传",),
}
