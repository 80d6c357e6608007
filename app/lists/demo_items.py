"""The demo subdistrict's two lists (太仓 政社互动 style): version 1, and the
revision that became version 2. Legal bases name the law and article where the
duty is written; certificate matters follow the 准入/取消社区盖章证明事项 lists
Suzhou's districts publish. Used by app.demo only."""
from __future__ import annotations

JUMIN = "城市居民委员会组织法"

# (kind, title, category, legal basis, department, certificate?, materials, keywords, description)
STATUTORY = [
    ("statutory", "宣传宪法、法律、法规和国家政策", "法治宣传", f"{JUMIN} 第三条第一项", "", False, "", "普法、法治宣传、政策宣传",
     "在社区宣传栏、居民微信群和居民会议上宣传法律法规和政策。"),
    ("statutory", "教育居民依法履行义务、爱护公共财产", "法治宣传", f"{JUMIN} 第三条第一项", "", False, "", "爱护公物、公共财产",
     ""),
    ("statutory", "开展社会主义精神文明建设活动", "文明建设", f"{JUMIN} 第三条第一项", "", False, "", "文明家庭、好邻居评选、道德讲堂",
     "好邻居、文明家庭评选，道德讲堂。"),
    ("statutory", "办理本居住地区居民的公共事务和公益事业", "社区服务", f"{JUMIN} 第三条第二项", "", False, "",
     "公共事务、公益事业、小区公共事务", ""),
    ("statutory", "调解民间纠纷", "人民调解", f"{JUMIN} 第三条第三项；人民调解法 第八条", "", False, "", "邻里纠纷、矛盾调解、吵架、家庭矛盾",
     "由社区人民调解委员会调解邻里、家庭等民间纠纷，不收费。"),
    ("statutory", "协助维护社会治安", "平安建设", f"{JUMIN} 第三条第四项", "", False, "", "治安、平安巡逻、群防群治",
     "组织平安志愿者巡逻，发现治安隐患及时报告。"),
    ("statutory", "向人民政府反映居民的意见、要求和建议", "基层民主", f"{JUMIN} 第三条第六项", "", False, "",
     "反映问题、提意见、居民诉求", ""),
    ("statutory", "开展便民利民的社区服务活动", "社区服务", f"{JUMIN} 第四条", "", False, "", "便民服务、社区服务", ""),
    ("statutory", "管理本居民委员会的财产", "社区服务", f"{JUMIN} 第四条", "", False, "", "社区财产、集体财产", ""),
    ("statutory", "居民委员会换届选举", "基层民主", f"{JUMIN} 第八条", "", False, "", "换届、选举、居委会选举、选民登记",
     "每届任期五年，由居民会议或户代表、居民小组代表选举产生。"),
    ("statutory", "召集和主持居民会议", "基层民主", f"{JUMIN} 第九条、第十条", "", False, "", "居民会议、居民代表会议",
     "涉及全体居民利益的重要问题，提请居民会议讨论决定。"),
    ("statutory", "组织开展社区协商", "基层民主", f"{JUMIN} 第三条", "", False, "", "议事会、民主协商、民事民议",
     "民事民议、民事民决、民事民办、民事民评。"),
    ("statutory", "制定和修订居民公约", "基层民主", f"{JUMIN} 第十五条", "", False, "", "居民公约、小区公约", ""),
    ("statutory", "设立人民调解、治安保卫、公共卫生等委员会", "组织建设", f"{JUMIN} 第十三条", "", False, "",
     "下属委员会、调委会", ""),
    ("statutory", "居务公开", "基层民主", f"{JUMIN} 第十条", "", False, "", "公示、居务公开、财务公开",
     "社区事务、财务收支在公开栏和平台公示。"),
    ("statutory", "指导和协助成立业主大会、选举业主委员会", "物业管理", "民法典 第二百七十七条", "", False, "",
     "业委会、业主委员会、业主大会、物业", ""),
    ("statutory", "担任或指定监护人", "社会事务", "民法典 第三十一条、第三十二条", "", True, "申请人和被监护人身份证、户口簿；亲属关系材料",
     "监护人、指定监护、监护证明", "对监护人的确定有争议的，可以由居民委员会指定监护人。"),
    ("statutory", "监督监护人履行监护职责", "社会事务", "民法典 第三十六条", "", False, "", "监护监督、撤销监护", ""),
    ("statutory", "发现家庭暴力及时报案", "平安建设", "反家庭暴力法 第十四条", "", False, "", "家暴、家庭暴力", ""),
    ("statutory", "确定消防安全管理人、组织防火安全检查", "平安建设", "消防法 第三十二条", "", False, "",
     "消防、防火检查、消防安全", ""),
    ("statutory", "维护老年人合法权益、为老年人服务", "为老服务", "老年人权益保障法 第七条", "", False, "",
     "老年人、为老服务、敬老", ""),
    ("statutory", "做好计划生育工作", "社会事务", "人口与计划生育法 第十二条", "卫健科", False, "", "计划生育、计生", ""),
    ("statutory", "组织居民参与传染病预防与控制", "公共卫生", "传染病防治法 第九条", "卫健科", False, "",
     "防疫、传染病、疫情防控", ""),
    ("statutory", "组织居民开展志愿服务", "社区服务", "志愿服务条例", "", False, "", "志愿者、志愿服务、做义工", ""),
    ("statutory", "组织群众性文化体育活动", "文化教育", f"{JUMIN} 第三条", "", False, "", "文体活动、广场舞、社区文化", ""),
    ("statutory", "困难群众生活状况证明", "证明事项", "社会救助暂行办法 第十一条", "民政科", True, "身份证、户口簿、家庭收入情况说明",
     "困难证明、贫困证明、家庭困难证明", "社区入户调查后出具家庭生活状况意见，用于申请社会救助。"),
    ("statutory", "未成年人保护专人专岗", "社会事务", "未成年人保护法 第四十三条", "民政科", False, "",
     "未成年人保护、儿童主任、困境儿童", ""),
]

ASSISTED = [
    ("assisted", "城乡居民基本养老保险参保登记", "社会保障", "", "市人社局", False, "", "养老保险参保、城乡居保", ""),
    ("assisted", "城乡居民基本养老保险待遇领取资格认证", "社会保障", "", "市人社局", False, "",
     "养老金资格认证、生存认证、养老认证、领养老金认证", "协助行动不便的老人通过手机人脸识别完成认证，不出具证明。"),
    ("assisted", "城乡居民基本医疗保险参保登记", "社会保障", "", "市医保局", False, "", "医保、居民医保、医保缴费", ""),
    ("assisted", "就业困难人员认定初审意见", "就业", "", "市人社局", True, "身份证、户口簿、失业登记材料",
     "就业困难、就业援助", ""),
    ("assisted", "就业失业登记政策宣传", "就业", "", "市人社局", False, "", "失业登记、就业登记、找工作", ""),
    ("assisted", "最低生活保障申请受理和入户调查", "社会救助", "社会救助暂行办法 第十一条", "民政科", False, "",
     "低保、最低生活保障、低保申请", ""),
    ("assisted", "特困人员救助供养申请初审", "社会救助", "", "民政科", True, "身份证、户口簿、残疾证或医院诊断材料",
     "特困、五保", ""),
    ("assisted", "临时救助申请初审意见", "社会救助", "", "民政科", True, "身份证、户口簿、困难情况说明及票据", "临时救助、急难救助",
     ""),
    ("assisted", "高龄津贴申领初审", "为老服务", "", "民政科", True, "身份证、本人银行卡", "高龄津贴、尊老金、老年津贴",
     "80周岁以上老人申领高龄津贴，社区初审后报民政科。"),
    ("assisted", "残疾人两项补贴申请初审", "助残", "", "市残联", True, "残疾证、身份证、户口簿", "残疾人补贴、两项补贴", ""),
    ("assisted", "残疾人基本状况调查", "助残", "", "市残联", False, "", "残疾人调查", ""),
    ("assisted", "独生子女父母奖励扶助申报初审", "社会事务", "", "卫健科", True, "身份证、户口簿、独生子女父母光荣证",
     "独生子女奖励、计生奖励扶助", ""),
    ("assisted", "计划生育特殊家庭走访联系", "社会事务", "", "卫健科", False, "", "失独家庭、计生特殊家庭", ""),
    ("assisted", "优抚对象信息采集和走访慰问", "优抚", "", "市退役军人事务局", False, "", "优抚、军属、烈属、双拥", ""),
    ("assisted", "适龄青年兵役登记宣传", "国防", "兵役法", "市人武部", False, "", "征兵、兵役登记", ""),
    ("assisted", "流动人口信息采集和出租房屋登记", "平安建设", "", "公安派出所", False, "", "流动人口、出租房、租房登记", ""),
    ("assisted", "协助做好社区矫正", "平安建设", "社区矫正法 第十二条", "司法所", False, "", "社区矫正", ""),
    ("assisted", "刑满释放人员安置帮教", "平安建设", "", "司法所", False, "", "安置帮教", ""),
    ("assisted", "禁毒宣传和社区戒毒社区康复协助", "平安建设", "禁毒法", "公安派出所", False, "", "禁毒、戒毒", ""),
    ("assisted", "严重精神障碍患者关爱帮扶", "公共卫生", "精神卫生法", "卫健科", False, "", "精神障碍、关爱帮扶", ""),
    ("assisted", "疫苗接种宣传动员", "公共卫生", "", "卫健科", False, "", "打疫苗、疫苗接种", ""),
    ("assisted", "爱国卫生运动和病媒生物防制", "公共卫生", "", "卫健科", False, "", "爱卫、灭鼠、除四害", ""),
    ("assisted", "食品安全宣传", "市场监管", "", "市市场监管局", False, "", "食品安全", ""),
    ("assisted", "安全生产宣传", "应急管理", "", "市应急管理局", False, "", "安全生产", ""),
    ("assisted", "防汛防台和应急避险转移", "应急管理", "突发事件应对法", "市应急管理局", False, "", "防汛、台风、应急转移", ""),
    ("assisted", "人口普查、经济普查等统计调查入户登记", "统计调查", "统计法", "市统计局", False, "", "普查、人口普查、统计调查",
     ""),
    ("assisted", "人口抽样调查入户", "统计调查", "统计法", "市统计局", False, "", "抽样调查", ""),
    ("assisted", "生活垃圾分类宣传督导", "城市管理", "", "城管科", False, "", "垃圾分类、分类督导", ""),
    ("assisted", "市容环境卫生整治配合", "城市管理", "", "城管科", False, "", "环境整治、市容", ""),
    ("assisted", "违法建设发现和报告", "城市管理", "", "城管科", False, "", "违建、违章搭建、私搭乱建", "发现后报告，查处由执法部门负责。"),
    ("assisted", "群租房安全隐患排查配合", "平安建设", "", "公安派出所", False, "", "群租、群租房", ""),
    ("assisted", "住房保障申请家庭住房状况核实", "住房保障", "", "市住建局", True, "身份证、户口簿、现住房情况说明",
     "公租房、廉租房、住房困难", ""),
    ("assisted", "老旧小区改造居民意见征集", "住房保障", "", "市住建局", False, "", "老旧小区改造、加装电梯", ""),
    ("assisted", "老年人优待证申办受理", "为老服务", "", "民政科", False, "", "老年优待证、敬老卡", ""),
    ("assisted", "居家养老服务需求调查", "为老服务", "", "民政科", False, "", "居家养老、助餐、养老服务", ""),
    ("assisted", "困境儿童和留守儿童关爱", "社会事务", "", "民政科", False, "", "困境儿童、留守儿童", ""),
    ("assisted", "妇女儿童权益维护", "社会事务", "", "市妇联", False, "", "妇女权益、儿童权益", ""),
    ("assisted", "法律援助申请代为转交", "法律服务", "法律援助法", "司法所", False, "", "法律援助、请律师", ""),
    ("assisted", "矛盾纠纷排查和信访化解协助", "平安建设", "", "综合治理办公室", False, "", "信访、上访、矛盾排查", ""),
    ("assisted", "网格化社会治理信息采集", "平安建设", "", "综合治理办公室", False, "", "网格、网格员、信息采集", ""),
    ("assisted", "文明城市创建宣传", "文明建设", "", "社会事业科", False, "", "文明城市、创文", ""),
    ("assisted", "全民健身和社区健身设施日常管理", "文化教育", "", "社会事业科", False, "", "健身器材、全民健身", ""),
    ("assisted", "燃气使用安全宣传", "应急管理", "", "市住建局", False, "", "燃气安全、煤气", ""),
]

# 不应由社区承担的事项; certificate matters here are 取消社区盖章证明事项 and say who does them now
EXCLUDED = [
    ("excluded", "招商引资", "经济工作", "", "市商务局", False, "", "招商", ""),
    ("excluded", "协税护税", "经济工作", "", "税务部门", False, "", "收税、税收", ""),
    ("excluded", "违法建设查处和拆除", "城市管理", "", "市综合行政执法局", False, "", "拆违、拆除违建", ""),
    ("excluded", "食品安全执法检查", "市场监管", "", "市市场监管局", False, "", "食品检查、执法检查", ""),
    ("excluded", "安全生产执法检查", "应急管理", "", "市应急管理局", False, "", "安全检查、企业检查", ""),
    ("excluded", "居住证明", "证明事项", "", "公安派出所", True, "", "居住地证明、住址证明、居住情况证明、入学居住证明",
     "凭居住证或居住登记信息办理，不再由社区开具。"),
    ("excluded", "亲属关系证明", "证明事项", "", "公安派出所", True, "", "亲属证明、父子关系证明、母女关系证明",
     "凭户口簿或户籍档案办理。"),
    ("excluded", "无犯罪记录证明", "证明事项", "", "公安派出所", True, "", "无犯罪证明、良民证", ""),
    ("excluded", "出生证明", "证明事项", "", "助产医疗机构", True, "", "出生医学证明", ""),
    ("excluded", "房屋产权证明", "证明事项", "", "市不动产登记中心", True, "", "房产证明、无房证明、住房证明", ""),
    ("excluded", "收入证明", "证明事项", "", "用人单位", True, "", "工资证明、收入情况证明", ""),
    ("excluded", "身份证遗失证明", "证明事项", "", "公安派出所", True, "", "身份证丢失、遗失证明", ""),
    ("excluded", "同一人证明", "证明事项", "", "公安派出所", True, "", "名字不一致证明、同一人", ""),
    ("excluded", "就业失业状况证明", "证明事项", "", "市人社局", True, "", "失业证明、无业证明、待业证明", ""),
]

# certificate matters the community still stamped in version 1; version 2 cancels them (取消)
CANCELLED_IN_V2 = [
    ("婚姻状况证明", "民政局婚姻登记处", "单身证明、未婚证明、婚姻证明、没结婚证明、离婚证明", "凭婚姻登记档案或个人书面承诺办理。"),
    ("居家死亡证明", "社区卫生服务中心、公安派出所", "死亡证明、去世证明", "由医疗机构出具死亡医学证明，公安派出所注销户口。"),
    ("健在证明", "市人社局", "生存证明、活着证明、健在证", "养老金资格通过数据比对和人脸识别认证，不再开具健在证明。"),
]

ADDED_IN_V2 = {"未成年人保护专人专岗", "燃气使用安全宣传"}
REMOVED_IN_V2 = {"人口抽样调查入户": "并入“人口普查、经济普查等统计调查入户登记”"}
# (title, field, version-1 value, reason): what version 2 changed
CHANGED_IN_V2 = [
    ("调解民间纠纷", "legal_basis", f"{JUMIN} 第三条第三项", "补充人民调解法的依据"),
    ("高龄津贴申领初审", "materials", "身份证、户口簿、本人银行卡、近期免冠照片", "数据共享后不再收照片"),
    ("违法建设发现和报告", "description", "", "写明社区只报告，查处由执法部门负责"),
]


def version_1() -> list[dict]:
    """Version 1: before the revision that made version 2."""
    old = {title: (field, value) for title, field, value, _why in CHANGED_IN_V2}
    items = []
    for row in STATUTORY + ASSISTED + EXCLUDED:
        item = _values(row)
        if item["title"] in ADDED_IN_V2:
            continue
        if item["title"] in old:
            field, value = old[item["title"]]
            item[field] = value
        items.append(item)
    items += [dict(kind="assisted", title=title, category="证明事项", legal_basis="", department="民政科",
                   is_certificate=True, materials="身份证、户口簿", keywords=keywords, description="社区出具证明。")
              for title, _dept, keywords, _d in CANCELLED_IN_V2]
    return items


def _values(row) -> dict:
    kind, title, category, basis, dept, cert, materials, keywords, description = row
    return dict(kind=kind, title=title, category=category, legal_basis=basis, department=dept, is_certificate=cert,
                materials=materials, keywords=keywords, description=description)


def version_2_changes(subdistrict_items: dict) -> list[tuple]:
    """What the revision does, as (operation, item or None, values, reason) for app.lists.services."""
    changes = []
    by_title = {**{r[1]: _values(r) for r in STATUTORY + ASSISTED + EXCLUDED}}
    for title in sorted(ADDED_IN_V2):
        changes.append(("add", None, by_title[title], "区里新增的依法履职/协助事项"))
    for title, reason in REMOVED_IN_V2.items():
        changes.append(("remove", subdistrict_items[title], None, reason))
    for title, _field, _old, reason in CHANGED_IN_V2:
        changes.append(("change", subdistrict_items[title], by_title[title], reason))
    for title, dept, keywords, description in CANCELLED_IN_V2:
        changes.append(("change", subdistrict_items[title], dict(
            kind="excluded", title=title, category="证明事项", legal_basis="", department=dept, is_certificate=True,
            materials="", keywords=keywords, description=description), "取消社区盖章证明事项（减负）"))
    return changes
