/* Name lists for the demo city: surnames weighted roughly by how common they
 * are in northern Shanxi (王, 李, 张, 刘, 赵, 郭, 杨 lead; 郝, 贾, 薛, 武, 乔 are
 * commoner there than nationally), given names by the fashion of the birth
 * decade, and the words that community, village and lane names are made of.
 * The lists are plausible, not statistics. */
#include <stdio.h>
#include <string.h>

#include "civgrid/demo.h"
#include "demo_int.h"

struct weighted {
    const char *name;
    unsigned weight;
};

static const struct weighted surnames[] = {
    {"王", 76}, {"李", 72}, {"张", 66}, {"刘", 55}, {"赵", 32}, {"郭", 26}, {"杨", 28}, {"陈", 24},
    {"高", 16}, {"马", 13}, {"孙", 12}, {"徐", 9},  {"周", 10}, {"吴", 7},  {"胡", 8},  {"朱", 7},
    {"田", 10}, {"贾", 10}, {"郝", 10}, {"薛", 8},  {"武", 9},  {"乔", 6},  {"韩", 9},  {"梁", 8},
    {"宋", 7},  {"郑", 5},  {"冯", 6},  {"于", 5},  {"董", 7},  {"程", 5},  {"曹", 6},  {"许", 5},
    {"吕", 5},  {"苏", 4},  {"卢", 4},  {"丁", 4},  {"魏", 6},  {"阎", 6},  {"杜", 5},  {"任", 6},
    {"范", 5},  {"石", 5},  {"姚", 3},  {"白", 6},  {"崔", 5},  {"康", 5},  {"秦", 3},  {"史", 5},
    {"侯", 5},  {"孟", 4},  {"段", 4},  {"常", 5},  {"贺", 4},  {"温", 4},  {"牛", 4},  {"罗", 3},
    {"何", 3},  {"黄", 4},  {"林", 2},  {"谢", 2},  {"唐", 2},  {"袁", 3},  {"邓", 2},  {"彭", 2},
    {"蔡", 2},  {"姜", 3},  {"方", 2},  {"叶", 1},  {"潘", 2},  {"戴", 1},  {"夏", 2},  {"钟", 1},
    {"汪", 1},  {"金", 2},  {"陆", 1},  {"孔", 2},  {"毛", 2},  {"邵", 2},  {"万", 2},  {"尹", 2},
    {"雷", 2},  {"钱", 1},  {"汤", 1},  {"文", 1},  {"岳", 2},  {"庞", 2},  {"霍", 3},  {"申", 2},
    {"闫", 4},  {"翟", 2},  {"安", 2},  {"边", 1},  {"聂", 1},  {"荆", 1},  {"宁", 1},
};

#define NSURNAMES (sizeof surnames / sizeof surnames[0])

const char *cg__demo_surname(uint64_t r)
{
    unsigned total = 0;
    for (size_t i = 0; i < NSURNAMES; i++)
        total += surnames[i].weight;
    unsigned pick = (unsigned)(r % total);
    for (size_t i = 0; i < NSURNAMES; i++) {
        if (pick < surnames[i].weight)
            return surnames[i].name;
        pick -= surnames[i].weight;
    }
    return surnames[0].name;
}

/* Whole given names by birth decade: [era][0 male, 1 female], NULL-ended. */
static const char *const given[4][2][40] = {
    {/* born before 1960 */
     {"建国", "国庆", "德明", "福生", "志刚", "保国", "永福", "玉山", "金山", "来福", "长顺",
      "守业", "德胜", "振华", "树林", "喜才", "有福", "存富", "宝山", "富贵", "满仓", "二虎",
      "根旺", "占元", "文秀", "殿英", "增福", "万全", "俊山", "补元", NULL},
     {"秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "玉珍", "玉英", "兰英",
      "桂芳", "秀珍", "凤兰", "素珍", "淑兰", "翠英", "金花", "改花", "润梅", "巧英",
      "月英", "桂花", "银花", "爱莲", "二女", "香莲", "俊英", "存女", NULL}},
    {/* 1960-1979 */
     {"建军", "卫东", "红兵", "志强", "国华", "建平", "军",   "勇",   "伟",   "斌",   "强",
      "刚",   "平",   "海",   "峰",   "建新", "建民", "立新", "向东", "卫国", "志勇", "宏伟",
      "晓东", "学军", "海军", "俊",   "明",   "建华", "永红", "跃进", "志军", "利军", NULL},
     {"丽",   "红",   "艳",   "霞",   "燕",   "娟",   "芳",   "敏",   "静",   "丽华",
      "红梅", "建英", "小红", "春燕", "海燕", "丽君", "秀梅", "美玲", "玉梅", "晓红",
      "彩霞", "艳红", "俊梅", "润芳", "建华", "凤琴", "慧琴", "爱华", NULL}},
    {/* 1980-1999 */
     {"伟",   "磊",   "鹏",   "超",   "杰",   "涛",   "浩",   "亮",   "强",
      "波",   "辉",   "宇",   "鑫",   "帅",   "龙",   "飞",   "斌",   "凯",
      "晨",   "俊杰", "志伟", "建波", "海涛", "宇航", "晓峰", "文博", "鹏飞",
      "佳豪", "子健", "振宇", "天宇", "晓龙", "博文", "一鸣", NULL},
     {"婷",   "静",   "丹",   "雪",   "琳",   "颖",   "倩", "璐",   "佳",
      "丽娜", "婷婷", "晓燕", "海燕", "雪梅", "慧",   "敏", "晶晶", "文静",
      "佳慧", "晓丽", "亚楠", "冬梅", "春艳", "玉洁", "蕾", "彦君", NULL}},
    {/* 2000 and later */
     {"浩然", "子轩", "梓轩", "宇轩", "浩宇", "俊熙", "皓轩", "梓豪", "睿",   "轩",
      "宇",   "晨",   "博",   "奕辰", "宇泽", "沐辰", "锦程", "子墨", "逸飞", "俊豪",
      "泽宇", "承泽", "天佑", "明轩", "铭",   "一诺", "子恒", "思源", NULL},
     {"欣怡", "梓涵", "子涵", "诗涵", "雨桐", "可馨", "思雨", "一诺", "语嫣",
      "梓萱", "若汐", "芷若", "紫涵", "佳怡", "雨欣", "梦瑶", "依诺", "沐瑶",
      "佳琪", "欣妍", "心怡", "思彤", "嘉怡", "钰涵", "雅琪", "若曦", NULL}},
};

/* Characters that two-character names are made of: [0 male, 1 female]. */
static const char *const first_chars[2][20] = {
    {"志", "建", "国", "文", "明", "永", "海", "晓", "宏", "俊",
     "振", "家", "学", "德", "立", "天", "子", "宇", "浩", "博"},
    {"秀", "丽", "美", "晓", "春", "玉", "雪", "海", "静", "佳",
     "雅", "欣", "梦", "思", "雨", "婉", "慧", "彩", "红", "金"}};
static const char *const second_chars[2][20] = {
    {"强", "刚", "伟", "军", "平", "华", "明", "勇", "杰", "峰",
     "斌", "涛", "龙", "鹏", "辉", "宇", "轩", "博", "林", "成"},
    {"英", "兰", "芳", "梅", "霞", "燕", "娟", "丽", "婷", "琳",
     "颖", "怡", "涵", "萱", "琪", "洁", "红", "花", "玲", "珍"}};

void cg__demo_given_name(char *out, size_t outsize, int birth_year, int female, uint64_t r)
{
    int era = birth_year < 1960 ? 0 : birth_year < 1980 ? 1 : birth_year < 2000 ? 2 : 3;
    int sex = female ? 1 : 0;
    if ((r & 0xff) < 160) { /* about 60 %: a name of the decade */
        const char *const *list = given[era][sex];
        size_t n = 0;
        while (list[n])
            n++;
        snprintf(out, outsize, "%s", list[(r >> 8) % n]);
        return;
    }
    snprintf(out, outsize, "%s%s", first_chars[sex][(r >> 16) % 20],
             second_chars[sex][(r >> 32) % 20]);
}

static const char *const community_words[] = {
    "东关",   "西关", "南关", "北关", "鼓楼", "新华", "建设路", "文化路", "光明路", "和平",
    "人民路", "振兴", "府前", "兴华", "迎宾", "康乐", "阳光",   "幸福",   "朝阳",   "惠民",
    "永安",   "富民", "泰和", "春晖", "兴阳", "云泉", "新建",   "解放路", "滨河",   "花园",
    "育才",   "友谊", "长青", "丰收", "向阳", "安居", "和谐",   "宏达",   "锦华",   "御河",
    "恒安",   "开源", "鑫源", "华林", "紫云", "平安", NULL};

static const char *const village_prefixes[] = {
    "东",   "西",   "南",   "北",   "前",   "后",     "上",   "下",   "大",   "小", "王家", "李家",
    "张家", "赵家", "刘家", "郭家", "马家", "杨家",   "高家", "孙家", "韩家", "石", "红",   "黑",
    "白",   "黄",   "柳",   "杏",   "榆",   "桑",     "新",   "旧",   "三",   "五", "七",   "十里",
    "古",   "双",   "水",   "沙",   "土",   "侯",     "薛",   "许",   "阎",   "郝", "白家", "贾家",
    "田",   "任家", "乔家", "武家", "常家", "二十里", "八里", NULL};

static const char *const village_suffixes[] = {"堡", "窑", "营", "屯", "庄", "沟", "湾",
                                               "梁", "寨", "坊", "店", "河", "峪", "坡",
                                               "口", "台", "滩", "洼", "院", "疃", NULL};

static const char *const lanes[] = {"东街",   "西街",   "南街", "北街",   "前街",   "后街",
                                    "中街",   "东巷",   "西巷", "南巷",   "北巷",   "新街",
                                    "老街",   "学校巷", "井巷", "庙前街", "戏台街", "大队巷",
                                    "果园巷", "场院巷", NULL};

static const char *const *const lists[CG__DEMO_NLISTS] = {
    [CG__DEMO_COMMUNITY] = community_words,
    [CG__DEMO_VILLAGE_PREFIX] = village_prefixes,
    [CG__DEMO_VILLAGE_SUFFIX] = village_suffixes,
    [CG__DEMO_LANE] = lanes,
};

size_t cg__demo_words(enum cg__demo_list list)
{
    size_t n = 0;
    while (lists[list][n])
        n++;
    return n;
}

const char *cg__demo_word(enum cg__demo_list list, size_t i)
{
    return lists[list][i % cg__demo_words(list)];
}
