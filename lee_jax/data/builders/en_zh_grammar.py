"""Generated English→Chinese translation for HW5: a grammar whose translation needs reordering.

HW5 translates English TED talks into Traditional Chinese (``ted2020``) with a sequence-to-sequence
model: an encoder reads the English, an autoregressive decoder writes the Chinese one token at a
time (trained with teacher forcing, decoded greedily or by beam search with a length penalty) and
BLEU scores the result; back-translation of monolingual Chinese adds synthetic pairs. The real
data must be downloaded; this builder generates pairs from a small grammar with a bilingual
lexicon of about 300 words, so that a model learns it in minutes on a CPU. Translating it word
by word fails: the Chinese needs words the English lacks, drops words it has, and puts them in
another order. The constructions (every Chinese sentence ends in 。 or ？, clauses are joined by
，, and there are no spaces):

- **Measure words.** A number or a demonstrative takes the noun's measure word, and 2 is 兩
  before one: "three cats" → 三隻貓, "two books" → 兩本書, "this car" → 這輛車, "two o'clock" →
  兩點, but "twenty-two books" → 二十二本書 and "on February 2" → 在二月二日. Mass nouns count by
  their container: "two cups of tea" → 兩杯茶.
- **Numbers** up to 99 in words become Chinese numerals: "twenty-one" → 二十一, "ten" → 十.
- **Adjectives** come after the measure word, most with 的: "a red car" → 一輛紅色的車, "three
  small cats" → 三隻小貓. As predicates, they need 很 where English has only "is" ("the cat is
  cute" → 貓很可愛), a color needs 是…的 ("the car is red" → 車是紅色的), and some change word
  ("happy" → 快樂的 before a noun, 高興 after a subject; "delicious" is 好吃 for food, 好喝 for
  drinks).
- **Word order.** Time expressions and places move from the end of the English to before the
  Chinese verb: "I ate rice yesterday" → 我昨天吃了飯, "he reads in the library" → 他在圖書館看書,
  "on May 3" → 在五月三日, "by bus" → 坐公車 (before 去). "There is a cat under the tree" puts the
  place first: 樹下有一隻貓. Question words stay where the answer would be: "What did you eat?"
  → 你吃了什麼？, "Where does she read?" → 她在哪裡看書？
- **Aspect and tense** are words, not verb forms: the past is 了 after the verb (between verb and
  object in 看了書, 游了泳), "is reading" is 正在看書 (正在圖書館看書 with a place), "will" is
  會, "wants to" is 想, and the present is unmarked.
- **Negation** depends on the tense: "don't" is 不, "didn't" and "isn't …ing" are 沒有 (沒有在),
  which drops 了; 有 "have" only takes 沒; "won't" is 不會, "never" is 從來不. Under negation and in
  yes/no questions "a" disappears: "I didn't buy a car" → 我沒有買車.
- **Questions** keep the statement's order and add 嗎: "Do you like tea?" → 你喜歡茶嗎？;
  "how many" is 幾 with the measure word: "How many cats does she have?" → 她有幾隻貓？
- **Possessives**: "my brother's dog" → 我哥哥的狗 (family takes no 的 after a pronoun), "my
  friend" → 我的朋友, "Tom's car" → 湯姆的車; "the students" → 學生們, but "three students" →
  三個學生.
- **The verb follows its object**: "wear" is 穿 for clothes and 戴 for hats and watches, "play"
  is 打籃球, 踢足球, 彈鋼琴, "visit" a person is 去看.
- **Clauses**: "B because A" and "Because A, B" are both 因為A，所以B; "A, but B" is A，但是B.

English sentences are capitalized and punctuated, 3 to 25 words long (so that beam search's
length penalty matters). Splits: ``train``, ``valid`` and ``test`` (parallel) and ``mono``
(Chinese only, ``en`` empty, from its own random stream, for back-translation). No English or
Chinese sentence appears twice, in one split or across splits, so ``valid`` and ``test`` measure
translation of unseen sentences; each English sentence has one translation.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import tensorflow_datasets as tfds

SEED = 2022
SPLITS = {"train": 20_000, "valid": 1_000, "test": 1_000, "mono": 20_000}
MONO = "mono"
MIN_WORDS, MAX_WORDS = 3, 25
# Held-out splits are drawn first, so that their sentences do not depend on train's size.
_ORDER = ("test", "valid", "train", "mono")


# --- The lexicon ------------------------------------------------------------------------------

class Noun(NamedTuple):
  en: str
  plural: str
  zh: str
  measure: str  # 隻 in 三隻貓; empty for mass nouns, which count by a container.
  tags: frozenset[str]  # What can be done with it: "food" can be eaten, "thing" bought, ...


class Adjective(NamedTuple):
  en: str
  attributive: str  # Before a noun: 紅色的, or 大 (one-syllable ones take no 的); empty: never.
  predicative: str  # After a subject: 紅色 (in 是紅色的), 大 (in 很大); empty: never a predicate.
  tags: frozenset[str]  # The nouns it describes; "person" also covers pronouns and names.
  color: bool = False  # A predicate color is 是…的 rather than 很….


class Verb(NamedTuple):
  base: str
  third: str  # "he reads"
  past: str
  ing: str
  zh: str | dict[str, str]  # Or, by the object's tag, 穿 for clothes and 戴 for hats.
  objects: frozenset[str] = frozenset()  # Tags of the nouns it takes; none: it takes none.
  rest: str = ""  # The English words after the verb in an activity: "the piano".
  zh_object: str = ""  # The object inside an activity: 書 in 看書, which 了 precedes (看了書).
  stative: bool = False  # Like, have, want: present tense only, no "is …ing".
  progressive: bool = True  # False for "go" and "find": no "is finding".
  # Find, lose, see, meet happen at a moment: past, future or "want to", never a habit.
  achievement: bool = False
  animate: bool = False  # An animal can do it.
  negation: str = "不"  # 沒 for 有.
  weather: bool = False  # Its subject is "it", which Chinese leaves out: 下雨.


class Place(NamedTuple):
  at: str  # "in the library"
  to: str  # "to the library"; "home" for 家.
  zh: str
  subject: str = ""  # As a predicate's subject ("the library is quiet"); empty: never one.


class Time(NamedTuple):
  en: str
  zh: str
  modes: frozenset[str]  # The tenses it goes with.


class Owner(NamedTuple):
  """A possessor: "my" (我, a pronoun) or "my brother's" (我哥哥)."""

  en: str
  zh: str
  pronoun: bool


def _table(text: str) -> list[list[str]]:
  """Whitespace-separated rows; "_" stands for a space inside a field."""
  return [[field.replace("_", " ") for field in line.split()]
          for line in text.strip().splitlines()]


_GOODS = "food,drink,reading,animal,vehicle,clothes,accessory,thing"


def _tags(field: str) -> frozenset[str]:
  """Comma-separated tags; "goods" is everything one can buy."""
  return frozenset(field.replace("goods", _GOODS).split(","))


# English singular, plural, Chinese, measure word, tags.
NOUNS = {row[0]: Noun(row[0], row[1], row[2], row[3], _tags(row[4])) for row in _table("""
apple         apples         蘋果    個  food
banana        bananas        香蕉    根  food
orange        oranges        橘子    顆  food
egg           eggs           蛋      顆  food,cookable
cake          cakes          蛋糕    塊  food,makeable
cookie        cookies        餅乾    塊  food,makeable
sandwich      sandwiches     三明治  個  food,makeable
watermelon    watermelons    西瓜    顆  food
peach         peaches        桃子    顆  food
mango         mangoes        芒果    顆  food
dumpling      dumplings      水餃    顆  food,cookable
book          books          書      本  reading,thing,losable,borrowable
magazine      magazines      雜誌    本  reading,borrowable
newspaper     newspapers     報紙    份  reading
novel         novels         小說    本  reading,borrowable
comic_book    comic_books    漫畫    本  reading,borrowable
dictionary    dictionaries   字典    本  reading,borrowable
letter        letters        信      封  reading,writing,sendable
story         stories        故事    個  writing
poem          poems          詩      首  writing
song          songs          歌      首  writing,song
email         emails         電子郵件  封  writing
report        reports        報告    份  writing
card          cards          卡片    張  writing,sendable
movie         movies         電影    部  movie
cat           cats           貓      隻  animal
dog           dogs           狗      隻  animal
bird          birds          鳥      隻  animal
rabbit        rabbits        兔子    隻  animal
fish          fish           魚      條  animal
horse         horses         馬      匹  animal
cow           cows           牛      頭  animal
duck          ducks          鴨子    隻  animal
turtle        turtles        烏龜    隻  animal
monkey        monkeys        猴子    隻  animal
elephant      elephants      大象    頭  animal
car           cars           車      輛  vehicle,washable
bicycle       bicycles       腳踏車  輛  vehicle,washable,borrowable
bus           buses          公車    輛  vehicle
truck         trucks         卡車    輛  vehicle,washable
motorcycle    motorcycles    機車    輛  vehicle,washable
boat          boats          船      艘  vehicle
shirt         shirts         襯衫    件  clothes,washable
coat          coats          外套    件  clothes,washable
dress         dresses        洋裝    件  clothes,washable
sweater       sweaters       毛衣    件  clothes,washable
skirt         skirts         裙子    條  clothes,washable
jacket        jackets        夾克    件  clothes,washable
hat           hats           帽子    頂  accessory
watch         watches        手錶    支  accessory,losable
scarf         scarves        圍巾    條  accessory
pen           pens           筆      支  thing,losable,borrowable
pencil        pencils        鉛筆    支  thing,losable
phone         phones         手機    支  thing,losable
umbrella      umbrellas      雨傘    把  thing,losable,borrowable
key           keys           鑰匙    把  thing,losable
chair         chairs         椅子    把  thing
table         tables         桌子    張  thing
bed           beds           床      張  thing
desk          desks          書桌    張  thing
computer      computers      電腦    台  thing
camera        cameras        相機    台  thing,losable,borrowable
bag           bags           包包    個  thing,losable,openable
box           boxes          箱子    個  thing,openable
ticket        tickets        票      張  thing,losable
photo         photos         照片    張  thing,sendable
map           maps           地圖    張  thing,drawable
picture       pictures       畫      幅  drawable
flower        flowers        花      朵  thing,drawable
tree          trees          樹      棵  drawable
ball          balls          球      顆  thing
toy           toys           玩具    個  thing,makeable
gift          gifts          禮物    份  thing,sendable
wallet        wallets        錢包    個  thing,losable
guitar        guitars        吉他    把  thing
door          doors          門      扇  openable
window        windows        窗戶    扇  openable
room          rooms          房間    間  room
house         houses         房子    棟  room
kitchen       kitchens       廚房    間  room
classroom     classrooms     教室    間  room
rice          rice           飯      -   mass,food,cookable
noodles       noodles        麵      -   mass,food,cookable
tea           tea            茶      -   mass,drink
coffee        coffee         咖啡    -   mass,drink
water         water          水      -   mass,drink
milk          milk           牛奶    -   mass,drink
juice         juice          果汁    -   mass,drink
friend        friends        朋友    個  person
teacher       teachers       老師    位  person,job
student       students       學生    個  person,job
doctor        doctors        醫生    位  person,job
nurse         nurses         護士    位  person,job
classmate     classmates     同學    個  person
neighbor      neighbors      鄰居    個  person
child         children       孩子    個  person,young
engineer      engineers      工程師  位  person,job
cook          cooks          廚師    位  person,job
driver        drivers        司機    位  person,job
singer        singers        歌手    位  person,job
farmer        farmers        農夫    個  person,job
police_officer  police_officers  警察  位  person,job
writer        writers        作家    位  person,job
brother       brothers       哥哥    個  person,kin
sister        sisters        姐姐    個  person,kin
mother        mothers        媽媽    個  person,kin
father        fathers        爸爸    個  person,kin
grandmother   grandmothers   奶奶    個  person,kin
grandfather   grandfathers   爺爺    個  person,kin
son           sons           兒子    個  person,kin
daughter      daughters      女兒    個  person,kin
uncle         uncles         叔叔    個  person,kin
aunt          aunts          阿姨    個  person,kin
""")}
NOUNS = {en: noun._replace(measure="") if noun.measure == "-" else noun
         for en, noun in NOUNS.items()}

# Mass noun -> the containers it is counted in: English (singular, plural), measure word.
CONTAINERS = {
    "rice": [("bowl", "bowls", "碗")], "noodles": [("bowl", "bowls", "碗")],
    "tea": [("cup", "cups", "杯")], "coffee": [("cup", "cups", "杯")],
    "water": [("glass", "glasses", "杯"), ("bottle", "bottles", "瓶")],
    "milk": [("glass", "glasses", "杯"), ("bottle", "bottles", "瓶")],
    "juice": [("glass", "glasses", "杯"), ("bottle", "bottles", "瓶")],
}

# English, before a noun, as a predicate ("-": never), the tags it describes, a color?
ADJECTIVES = [Adjective(row[0], "" if row[1] == "-" else row[1], "" if row[2] == "-" else row[2],
                        _tags(row[3]), len(row) > 4) for row in _table("""
red          紅色的  紅色  vehicle,clothes,accessory,thing,drawable  color
blue         藍色的  藍色  vehicle,clothes,accessory,thing  color
green        綠色的  綠色  vehicle,clothes,accessory,thing  color
black        黑色的  黑色  vehicle,clothes,accessory,thing,animal  color
white        白色的  白色  vehicle,clothes,accessory,thing,animal  color
yellow       黃色的  黃色  vehicle,clothes,thing,drawable  color
big          大      大    animal,vehicle,thing,room,food
small        小      小    animal,vehicle,thing,room,food
new          新      新    vehicle,clothes,accessory,thing,reading,room
old          舊      舊    vehicle,clothes,accessory,thing,reading,room
cute         可愛的  可愛  animal,young
beautiful    漂亮的  漂亮  clothes,accessory,drawable,room,place
expensive    昂貴的  貴    vehicle,clothes,accessory,thing,food
cheap        便宜的  便宜  vehicle,clothes,accessory,thing,food
delicious    好吃的  好吃  food
delicious    好喝的  好喝  drink
sweet        甜的    甜    food,drink
interesting  有趣的  有趣  reading,movie,writing,person
boring       無聊的  無聊  reading,movie,writing
famous       有名的  有名  movie,reading,song,job,place
kind         善良的  善良  person
clever       聰明的  聰明  person,animal
quiet        安靜的  安靜  room,place,young
clean        乾淨的  乾淨  room,clothes,vehicle,place
dirty        髒的    髒    room,clothes,vehicle
happy        快樂的  高興  person
tall         -       高    person
busy         -       忙    person
tired        -       累    person
hungry       -       餓    person,animal
sad          -       難過  person
fast         -       快    vehicle
heavy        -       重    thing
""")]
# "It is cold" is 天氣很冷: the weather is the subject Chinese names.
WEATHER = {"cold": "冷", "hot": "熱", "warm": "暖和", "cool": "涼快"}


def _verbs(text: str, **flags) -> dict[str, Verb]:
  """Rows: base, third person, past, -ing, Chinese, object tags ("-": none)."""
  verbs = {}
  for base, third, past, ing, zh, objects in _table(text):
    if ":" in zh:  # tag:verb,tag:verb
      zh = dict(pair.split(":") for pair in zh.split(","))
    verbs[base] = Verb(base, third, past, ing, zh, _tags(objects) - {"-"}, **flags)
  return verbs


VERBS = {
    **_verbs("""
eat     eats     ate       eating     吃    food
drink   drinks   drank     drinking   喝    drink
""", animate=True),
    **_verbs("""
buy     buys     bought    buying     買    goods
sell    sells    sold      selling    賣    food,reading,vehicle,clothes,accessory,thing
read    reads    read      reading    看    reading
write   writes   wrote     writing    寫    writing
watch   watches  watched   watching   看    movie
cook    cooks    cooked    cooking    煮    cookable
make    makes    made      making     做    makeable
wash    washes   washed    washing    洗    washable
clean   cleans   cleaned   cleaning   打掃  room
open    opens    opened    opening    打開  openable
close   closes   closed    closing    關上  openable
draw    draws    drew      drawing    畫    drawable,animal
sing    sings    sang      singing    唱    song
bring   brings   brought   bringing   帶    thing,reading
borrow  borrows  borrowed  borrowing  借    borrowable
send    sends    sent      sending    寄    sendable
wear    wears    wore      wearing    clothes:穿,accessory:戴  clothes,accessory
help    helps    helped    helping    幫    person
visit   visits   visited   visiting   去看  person
"""),
    **_verbs("""
find    finds    found     finding    找到  losable,animal
lose    loses    lost      losing     弄丟  losable
see     sees     saw       seeing     看到  animal,vehicle,person
meet    meets    met       meeting    遇到  person
""", progressive=False, achievement=True),
    **_verbs("""
like    likes    liked     liking     喜歡  goods,movie,person
love    loves    loved     loving     愛    person,animal
want    wants    wanted    wanting    想要  goods
need    needs    needed    needing    需要  thing,clothes,vehicle,accessory
""", stative=True),
    "have": Verb("have", "has", "had", "having", "有",
                 _tags("animal,vehicle,clothes,accessory,thing,reading,kin"), stative=True,
                 negation="沒"),
}
GIVE = Verb("give", "gives", "gave", "giving", "給", _tags("thing,food,reading,sendable"))
GO = Verb("go", "goes", "went", "going", "去", progressive=False)
HOME = "回"  # "go home" is 回家, not 去家.


def _activities(text: str, **flags) -> dict[str, Verb]:
  """Rows: base, third, past, -ing, the English after the verb ("-": none), verb, object."""
  verbs = {}
  for base, third, past, ing, rest, zh, zh_object in _table(text):
    rest, zh_object = ("" if rest == "-" else rest), ("" if zh_object == "-" else zh_object)
    verbs[" ".join(filter(None, (base, rest)))] = Verb(base, third, past, ing, zh, rest=rest,
                                                       zh_object=zh_object, **flags)
  return verbs


ACTIVITIES = {
    **_activities("""
sleep  sleeps  slept  sleeping  -  睡  覺
swim   swims   swam   swimming  -  游  泳
run    runs    ran    running   -  跑  步
play   plays   played playing   -  玩  -
""", animate=True),
    **_activities("""
read   reads   read    reading   -                 看  書
study  studies studied studying  -                 讀  書
sing   sings   sang    singing   -                 唱  歌
dance  dances  danced  dancing   -                 跳  舞
cook   cooks   cooked  cooking   -                 做  飯
draw   draws   drew    drawing   -                 畫  畫
work   works   worked  working   -                 工作  -
rest   rests   rested  resting   -                 休息  -
take   takes   took    taking    a_walk            散  步
take   takes   took    taking    a_shower          洗  澡
play   plays   played  playing   basketball        打  籃球
play   plays   played  playing   tennis            打  網球
play   plays   played  playing   baseball          打  棒球
play   plays   played  playing   soccer            踢  足球
play   plays   played  playing   the_piano         彈  鋼琴
play   plays   played  playing   the_guitar        彈  吉他
play   plays   played  playing   video_games       玩  電動
watch  watches watched watching  TV                看  電視
do     does    did     doing     homework          寫  功課
eat    eats    ate     eating    breakfast         吃  早餐
eat    eats    ate     eating    lunch             吃  午餐
eat    eats    ate     eating    dinner            吃  晚餐
listen listens listened listening to_music         聽  音樂
go     goes    went    going     shopping          逛  街
ride   rides   rode    riding    a_bike            騎  腳踏車
fly    flies   flew    flying    a_kite            放  風箏
wash   washes  washed  washing   the_dishes        洗  碗
"""),
    **_activities("""
rain   rains   rained  raining   -  下  雨
snow   snows   snowed  snowing   -  下  雪
""", weather=True),
}

# Place: "in the library", "to the library", Chinese, as a predicate's subject ("-": never);
# looked up as "library".
PLACES = {row[1].removeprefix("to ").removeprefix("the "):
          Place(row[0], row[1], row[2], "" if row[3] == "-" else row[3])
          for row in _table("""
in_the_library      to_the_library      圖書館  the_library
at_school           to_school           學校    -
at_home             home                家      -
in_the_park         to_the_park         公園    the_park
in_the_kitchen      to_the_kitchen      廚房    the_kitchen
at_the_restaurant   to_the_restaurant   餐廳    the_restaurant
in_the_classroom    to_the_classroom    教室    the_classroom
at_the_station      to_the_station      車站    the_station
in_the_garden       to_the_garden       花園    the_garden
at_the_beach        to_the_beach        海邊    the_beach
in_the_office       to_the_office       辦公室  the_office
at_the_hospital     to_the_hospital     醫院    the_hospital
at_the_supermarket  to_the_supermarket  超市    the_supermarket
at_the_museum       to_the_museum       博物館  the_museum
at_the_zoo          to_the_zoo          動物園  the_zoo
at_the_market       to_the_market       市場    the_market
at_the_bookstore    to_the_bookstore    書店    the_bookstore
at_the_coffee_shop  to_the_coffee_shop  咖啡店  the_coffee_shop
at_the_night_market to_the_night_market 夜市    the_night_market
at_the_airport      to_the_airport      機場    the_airport
in_Taipei           to_Taipei           台北    Taipei
in_Tainan           to_Tainan           台南    Tainan
in_Kaohsiung        to_Kaohsiung        高雄    Kaohsiung
in_Tokyo            to_Tokyo            東京    Tokyo
in_London           to_London           倫敦    London
in_Paris            to_Paris            巴黎    Paris
in_New_York         to_New_York         紐約    New_York
""")}

class Location(NamedTuple):
  """Where "there is" something: the place comes first in Chinese (樹下有…)."""

  en: str
  zh: str
  tags: frozenset[str]  # What can be there.


LOCATIONS = {row[0]: Location(row[0], row[1], _tags(row[2])) for row in _table("""
in_the_box        箱子裡    thing,food
in_the_bag        包包裡    thing,reading,food
in_the_fridge     冰箱裡    food
in_the_kitchen    廚房裡    food,thing,animal
in_the_garden     花園裡    animal,drawable
in_the_room       房間裡    thing,reading,animal
in_the_park       公園裡    animal,person
in_the_classroom  教室裡    person,thing,reading
on_the_table      桌子上    thing,reading,food
on_the_desk       書桌上    thing,reading
on_the_bed        床上      thing,reading,animal,clothes
on_the_chair      椅子上    thing,animal,clothes
on_the_wall       牆上      drawable
under_the_table   桌子下面  thing,animal
under_the_bed     床下面    thing,animal
under_the_tree    樹下      animal,person
""")}

MEANS = dict(row for row in _table("""
by_bus         坐公車
by_train       坐火車
by_taxi        坐計程車
by_MRT         坐捷運
by_plane       坐飛機
by_bike        騎腳踏車
by_motorcycle  騎機車
by_car         開車
on_foot        走路
"""))

# Frequency adverbs (present tense only): English, Chinese.
ADVERBS = dict(row for row in _table("""
often      常常
usually    通常
always     總是
sometimes  有時候
never      從來不
"""))

PAST, FUTURE, HABIT = frozenset({"past"}), frozenset({"future"}), frozenset({"present"})
EVENT = PAST | FUTURE  # A point in time: it happened, or it will.
TIMES = {
    **{en: Time(en, zh, PAST) for en, zh in _table("""
yesterday      昨天
last_night     昨天晚上
this_morning   今天早上
last_week      上個星期
last_month     上個月
last_year      去年
last_weekend   上個週末
""")},
    **{en: Time(en, zh, FUTURE) for en, zh in _table("""
tomorrow          明天
tomorrow_morning  明天早上
tonight           今天晚上
next_week         下個星期
next_month        下個月
next_year         明年
next_weekend      下個週末
""")},
    **{en: Time(en, zh, HABIT) for en, zh in _table("""
every_day      每天
every_morning  每天早上
every_evening  每天晚上
every_week     每個星期
every_weekend  每個週末
""")},
    "now": Time("now", "現在", frozenset({"progressive"})),
}
TODAY = Time("today", "今天", HABIT)  # Only for the weather: "It is cold today."
WEEKDAYS = dict(row for row in _table("""
Monday     星期一
Tuesday    星期二
Wednesday  星期三
Thursday   星期四
Friday     星期五
Saturday   星期六
Sunday     星期天
"""))
MONTHS = ("January February March April May June July August September October November "
          "December").split()
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Subject, object, possessive, Chinese; person and number, for English agreement.
PRONOUNS = {row[0]: row for row in [
    ("I", "me", "my", "我", 1, False), ("you", "you", "your", "你", 2, False),
    ("he", "him", "his", "他", 3, False), ("she", "her", "her", "她", 3, False),
    ("we", "us", "our", "我們", 1, True), ("they", "them", "their", "他們", 3, True)]}
NAMES = dict(row for row in _table("""
Tom    湯姆
Mary   瑪麗
John   約翰
Amy    艾咪
David  大衛
Lucy   露西
Peter  彼得
Emma   艾瑪
Kevin  凱文
Linda  琳達
"""))


def vocabulary() -> set[str]:
  """The English words of the lexicon (for its size; inflections and numbers not counted)."""
  entries = [*NOUNS, *(a.en for a in ADJECTIVES), *WEATHER, *VERBS, *ACTIVITIES, GIVE.base,
             GO.base, *(p.at for p in PLACES.values()), *LOCATIONS, *MEANS,
             *ADVERBS, *TIMES, *WEEKDAYS, *MONTHS, *PRONOUNS, *NAMES]
  return {word for entry in entries for word in entry.split()}


# --- Numbers ------------------------------------------------------------------------------------

_DIGITS = "一二三四五六七八九"
_ONES = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_en(n: int) -> str:
  """1..99 in English words: "twenty-one"."""
  if n < 20:
    return _ONES[n - 1]
  tens, ones = divmod(n, 10)
  return _TENS[tens - 2] + (f"-{_ONES[ones - 1]}" if ones else "")


def number_zh(n: int, counting: bool = False) -> str:
  """1..99 in Chinese numerals: 二十一. ``counting``: before a measure word, where 2 is 兩."""
  if n == 2 and counting:
    return "兩"
  if n < 10:
    return _DIGITS[n - 1]
  tens, ones = divmod(n, 10)
  return ("" if tens == 1 else _DIGITS[tens - 1]) + "十" + (_DIGITS[ones - 1] if ones else "")


def clock(hour: int, half: bool = False) -> Time:
  """"at two o'clock" → 兩點, "at three thirty" → 三點半."""
  en = f"at {number_en(hour)} thirty" if half else f"at {number_en(hour)} o'clock"
  return Time(en, number_zh(hour, counting=True) + "點" + ("半" if half else ""), EVENT)


def date(month: int, day: int) -> Time:
  """"on May 3" → 在五月三日 (a date counts nothing: 二月二日, not 兩月)."""
  return Time(f"on {MONTHS[month - 1]} {day}", f"在{number_zh(month)}月{number_zh(day)}日", EVENT)


def weekday(name: str, every: bool = False) -> Time:
  """"on Monday" → 星期一 (it happened or it will), "every Monday" → 每個星期一."""
  if every:
    return Time(f"every {name}", "每個" + WEEKDAYS[name], HABIT)
  return Time(f"on {name}", WEEKDAYS[name], EVENT)


def span(n: int, unit: str, past: bool) -> Time:
  """"three days ago" → 三天前, "in two weeks" → 兩個星期後."""
  english = f"{number_en(n)} {unit}s"
  zh = number_zh(n, counting=True) + {"day": "天", "week": "個星期"}[unit]
  if past:
    return Time(f"{english} ago", zh + "前", PAST)
  return Time(f"in {english}", zh + "後", FUTURE)


# --- Phrases ------------------------------------------------------------------------------------

class Phrase(NamedTuple):
  """One constituent in both languages, with what English agreement needs."""

  en: str
  zh: str
  person: int = 3
  plural: bool = False
  scoped: str | None = None  # Its Chinese under negation or in a yes/no question: "a car" → 車.
  tags: frozenset[str] = frozenset()

  @property
  def third_singular(self) -> bool:
    return self.person == 3 and not self.plural


def pronoun(en: str, case: str = "subject") -> Phrase:
  """"I" (我) as a subject, or as an object ("me")."""
  subject, object_, _, zh, person, plural = PRONOUNS[en]
  return Phrase(subject if case == "subject" else object_, zh, person, plural,
                tags=frozenset({"person", "pronoun"}))


def name(en: str) -> Phrase:
  return Phrase(en, NAMES[en], tags=frozenset({"person"}))


def owner(who: str, noun: Noun | None = None) -> Owner:
  """"my" (a pronoun's), "Tom's", or "my brother's" with ``noun``."""
  if who in PRONOUNS:
    base = Owner(PRONOUNS[who][2], PRONOUNS[who][3], True)
  else:
    base = Owner(f"{who}'s", NAMES[who], False)
  if noun is None:
    return base
  # Before another 的, a pronoun's own 的 is dropped: 我朋友的車, not 我的朋友的車.
  zh = base.zh + ("" if base.pronoun else "的") + noun.zh
  return Owner(f"{base.en} {noun.en}'s", zh, False)


def _article(word: str) -> str:
  return "an" if word[0] in "aeiou" else "a"


def noun_phrase(noun: Noun, det: str | int = "a", adjective: Adjective | None = None,
                of: Owner | None = None, container: tuple[str, str, str] | None = None
                ) -> Phrase:
  """A noun with its determiner: "a", "the", "this", "that", "these", "those", "bare" (a
  plural or a mass noun alone), "the plural" (people: 學生們), a number, or an owner ``of``.

  Mass nouns are counted by a ``container`` ("a cup of tea") or stand alone ("tea").
  """
  plural = (det in ("these", "those", "bare", "the plural")
            or (isinstance(det, int) and det != 1))
  if noun.measure == "" and container is None:
    plural = False  # "tea", "the tea".
  english = noun.plural if plural else noun.en
  zh = noun.zh
  if adjective is not None:
    english, zh = f"{adjective.en} {english}", adjective.attributive + zh
  measure = noun.measure
  if container is not None:
    unit = container[1] if plural else container[0]
    english, measure = f"{unit} of {english}", container[2]
  scoped = None
  if of is not None:
    english = f"{of.en} {english}"
    zh = of.zh + ("" if of.pronoun and "kin" in noun.tags else "的") + zh
  elif det == "a":
    english = f"{_article(english)} {english}"
    scoped, zh = zh, "一" + measure + zh
  elif isinstance(det, int):
    english = f"{number_en(det)} {english}"
    zh = number_zh(det, counting=True) + measure + zh
  elif det in ("this", "that"):
    english, zh = f"{det} {english}", {"this": "這", "that": "那"}[det] + measure + zh
  elif det in ("these", "those"):
    english, zh = f"{det} {english}", {"these": "這些", "those": "那些"}[det] + zh
  elif det == "the plural":
    english, zh = f"the {english}", zh + "們"
  elif det == "the":
    english = f"the {english}"
  return Phrase(english, zh, 3, plural, scoped, noun.tags)


def how_many(noun: Noun) -> Phrase:
  """"how many cats" → 幾隻貓."""
  return Phrase(f"how many {noun.plural}", "幾" + noun.measure + noun.zh, 3, True, tags=noun.tags)


def adjective(en: str, noun_tags: frozenset[str] = frozenset()) -> Adjective:
  """The adjective ``en`` that describes a noun with ``noun_tags`` ("delicious": 好吃 or 好喝)."""
  matches = [a for a in ADJECTIVES if a.en == en]
  return next((a for a in matches if a.tags & noun_tags), matches[0])


# --- Clauses ------------------------------------------------------------------------------------

class Clause(NamedTuple):
  en: str
  zh: str
  question: bool = False


IT = Phrase("it", "", 3, False)  # "It rained": Chinese has no subject (下了雨).
WHO = Phrase("who", "誰", 3, False)


def _english_verb(verb: Verb, mode: str, subject: Phrase, form: str) -> tuple[str, str]:
  """(auxiliary, main verb) for a "statement", "negative" or "question": ("doesn't", "read")."""
  third = subject.third_singular
  be = "am" if subject.person == 1 and not subject.plural else ("is" if third else "are")
  do = "does" if third else "do"
  if mode == "progressive":
    aux = {"statement": be, "negative": "am not" if be == "am" else be + "n't", "question": be}
    main = verb.ing
  elif mode == "future":
    aux, main = {"statement": "will", "negative": "won't", "question": "will"}, verb.base
  elif mode == "past":
    aux = {"statement": "", "negative": "didn't", "question": "did"}
    main = verb.past if form == "statement" else verb.base
  elif mode == "want":
    aux = {"statement": "", "negative": do + "n't", "question": do}
    main = ("wants" if third and form == "statement" else "want") + " to " + verb.base
  else:
    aux = {"statement": "", "negative": do + "n't", "question": do}
    main = verb.third if third and form == "statement" else verb.base
  return aux[form], " ".join(filter(None, (main, verb.rest)))


def _verb_zh(verb: Verb, obj: Phrase | None) -> str:
  if isinstance(verb.zh, str):
    return verb.zh
  return next(zh for tag, zh in verb.zh.items() if obj is not None and tag in obj.tags)


def clause(subject: Phrase, verb: Verb, mode: str = "present", *, negative: bool = False,
           question: bool = False, wh: str | None = None, obj: Phrase | None = None,
           recipient: Phrase | None = None, place: Place | None = None,
           destination: Place | None = None, means: str | None = None,
           time: Time | None = None, adverb: str | None = None,
           time_first: bool = False) -> Clause:
  """One event: who does what (to whom), where, how and when, in a tense.

  ``mode`` is "present", "past", "progressive", "future" or "want" ("wants to"); ``question``
  makes it a yes/no question, and ``wh`` ("what", "where", "when", "who", or "how many" with
  ``obj`` a ``how_many`` phrase) a question about one of its parts, which Chinese leaves in
  place; questions are not negated. ``destination`` (with ``GO``) is where someone goes,
  ``means`` how ("by bus"); ``adverb`` ("often") goes with the present tense.
  """
  if wh == "who":
    subject = WHO
  form = "negative" if negative else ("question" if question or wh else "statement")
  # "Who reads?" asks about the subject, so English keeps the statement's order.
  aux, main = _english_verb(verb, mode, subject, "statement" if wh == "who" else form)
  tail = []
  if recipient is not None:
    tail.append(recipient.en)
  if obj is not None and wh != "what" and wh != "how many":
    tail.append(obj.en)
  if destination is not None and wh != "where":
    tail.append(destination.to)
  if means is not None:
    tail.append(means)
  if place is not None and wh != "where":
    tail.append(place.at)
  if time is not None and wh != "when" and not time_first:
    tail.append(time.en)
  if adverb is not None and not aux:
    main = f"{adverb} {main}"
  if wh == "who" or form != "question":
    words = [subject.en, aux, main, *tail]
  else:
    words = [aux, subject.en, main, *tail]
  if wh is not None and wh != "who":
    words.insert(0, obj.en if wh == "how many" else wh)
  english = " ".join(filter(None, words))
  if time_first and time is not None:
    english = f"{time.en}, {english}"

  # Chinese: subject, time, adverb, negation or tense word, place, means, verb (了), object.
  scoped = negative or (question and not wh)
  before = ""
  at = "" if place is None else "在" + place.zh
  if wh == "where" and destination is None:
    at = "在哪裡"
  if mode == "present":
    before = verb.negation if negative else ""
  elif mode == "past":
    before = "沒有" if negative else ""
  elif mode == "progressive":
    # 在 is both "at" and "-ing": "is reading in the library" is 正在圖書館看書.
    before, at = ("沒有在" if negative else "正在") + at.removeprefix("在"), ""
  elif mode == "future":
    before = "不會" if negative else "會"
  elif mode == "want":
    before = "不想" if negative else "想"
  home = destination is not None and destination.to == "home" and wh != "where"
  head = HOME if home else _verb_zh(verb, obj)
  done = "了" if mode == "past" and not negative else ""
  objects = verb.zh_object
  if recipient is not None:
    objects += recipient.zh
  if obj is not None:
    objects += "什麼" if wh == "what" else (obj.scoped or obj.zh) if scoped else obj.zh
  if destination is not None:
    objects += "哪裡" if wh == "where" else destination.zh
  when = "什麼時候" if wh == "when" else ("" if time is None else time.zh)
  zh = (subject.zh + when + (ADVERBS[adverb] if adverb else "") + before + at
        + (MEANS[means] if means else "") + head + done + objects)
  if question and not wh:
    zh += "嗎"
  return Clause(english, zh, question or wh is not None)


def be_clause(subject: Phrase, adjective_: Adjective | str | None = None, *,
              job: Phrase | None = None, negative: bool = False, question: bool = False,
              very: bool = False, mode: str = "present", time: Time | None = None) -> Clause:
  """"X is ADJ" (X很ADJ, a color X是ADJ的), "X is a doctor" (X是醫生), "it is cold" (天氣很冷).

  ``adjective_`` is an ``Adjective``, or a ``WEATHER`` word with ``IT``: only the weather takes
  a ``time`` and a ``mode`` other than the present ("It was cold yesterday" → 昨天天氣很冷).
  """
  third = subject.third_singular
  if mode == "future":
    be = "will be"
  elif mode == "past":
    be = "was" if third or (subject.person == 1 and not subject.plural) else "were"
  else:
    be = "am" if subject.person == 1 and not subject.plural else ("is" if third else "are")
  if negative:
    be = {"will be": "won't be", "am": "am not"}.get(be, be + "n't")
  predicate = (job.en if job is not None
               else adjective_ if isinstance(adjective_, str) else adjective_.en)
  if very:
    predicate = f"very {predicate}"
  if question:
    first, *rest = be.split()
    words = [first, subject.en, *rest, predicate]
  else:
    words = [subject.en, be, predicate]
  if time is not None:
    words.append(time.en)
  english = " ".join(words)

  if job is not None:
    zh = subject.zh + ("不是" if negative else "是") + job.zh
  else:
    weather = isinstance(adjective_, str)
    word = WEATHER[adjective_] if weather else adjective_.predicative
    if not weather and adjective_.color:
      zh = subject.zh + ("不是" if negative else "是") + word + "的"
    else:
      # 很 is the plain link, with little of "very" left; questions and negation drop it.
      degree = "不" if negative else ("非常" if very else ("" if question else "很"))
      if mode == "future":
        degree = "不會" if negative else "會" + degree
      zh = ((time.zh if time is not None else "") + ("天氣" if weather else subject.zh)
            + degree + word)
  return Clause(english, zh + ("嗎" if question else ""), question)


def there_is(location: Location, obj: Phrase, *, negative: bool = False, question: bool = False,
             how_many_: bool = False) -> Clause:
  """"There is a cat under the tree" → 樹下有一隻貓: the place first, then 有 (沒有)."""
  where, zh_where = location.en, location.zh
  be = "are" if obj.plural else "is"
  if how_many_:
    return Clause(f"{obj.en} {be} there {where}", f"{zh_where}有{obj.zh}", True)
  if question:
    return Clause(f"{be} there {obj.en} {where}", f"{zh_where}有{obj.scoped or obj.zh}嗎", True)
  if negative:
    # "There is no cat": the article goes with the "a".
    no_obj = "no " + obj.en.split(" ", 1)[1]
    return Clause(f"there {be} {no_obj} {where}", f"{zh_where}沒有{obj.scoped or obj.zh}")
  return Clause(f"there {be} {obj.en} {where}", f"{zh_where}有{obj.zh}")


def because(reason: Clause, result: Clause, reason_first: bool = False) -> Clause:
  """Both "B because A" and "Because A, B" are 因為A，所以B."""
  english = (f"because {reason.en}, {result.en}" if reason_first
             else f"{result.en} because {reason.en}")
  return Clause(english, f"因為{reason.zh}，所以{result.zh}")


def but(first: Clause, second: Clause) -> Clause:
  return Clause(f"{first.en}, but {second.en}", f"{first.zh}，但是{second.zh}")


def sentence(c: Clause) -> tuple[str, str]:
  """The clause capitalized and punctuated: ("Do you like tea?", "你喜歡茶嗎？")."""
  english = c.en[0].upper() + c.en[1:] + ("?" if c.question else ".")
  return english, c.zh + ("？" if c.question else "。")


# --- Drawing sentences --------------------------------------------------------------------------

class _Draw:
  """Random choices from a numpy stream, drawn in blocks: one numpy call per 4096 choices."""

  def __init__(self, rng: np.random.Generator):
    self._rng, self._block, self._next = rng, [], 0

  def unit(self) -> float:
    if self._next == len(self._block):
      self._block, self._next = self._rng.random(4096).tolist(), 0
    self._next += 1
    return self._block[self._next - 1]

  def below(self, n: int) -> int:
    return int(self.unit() * n)

  def chance(self, p: float) -> bool:
    return self.unit() < p

  def pick(self, options):
    options = list(options) if not isinstance(options, (list, tuple)) else options
    return options[self.below(len(options))]

  def weighted(self, options: dict):
    x, total = self.unit() * sum(options.values()), 0.0
    for option, weight in options.items():
      total += weight
      if x < total:
        return option
    return option


_NOUNS_BY_TAG: dict[str, list[Noun]] = {}
for _noun in NOUNS.values():
  for _tag in _noun.tags:
    _NOUNS_BY_TAG.setdefault(_tag, []).append(_noun)
_THINGS = [v for v in VERBS.values() if "person" not in v.objects or len(v.objects) > 1]
_PEOPLE_VERBS = [v for v in VERBS.values() if "person" in v.objects]
_JOBS = _NOUNS_BY_TAG["job"]
_PLACES = list(PLACES.values())
_LOCATIONS = list(LOCATIONS.values())


def _count(d: _Draw) -> int:
  """How many: mostly a few, sometimes up to 99."""
  x = d.unit()
  if x < 0.6:
    return d.below(4) + 2
  return d.below(5) + 6 if x < 0.8 else d.below(89) + 11


_OWNERS = [*_NOUNS_BY_TAG["kin"], NOUNS["friend"], NOUNS["teacher"], NOUNS["classmate"],
           NOUNS["neighbor"]]


def _owner(d: _Draw, family: bool = True) -> Owner:
  """"my", "Tom's", or (with ``family``) "my brother's"."""
  kind = d.weighted({"pronoun": 5, "name": 2, "family": 3 if family else 0})
  if kind == "name":
    return owner(d.pick(NAMES))
  who = d.pick(PRONOUNS)
  return owner(who) if kind == "pronoun" else owner(who, d.pick(_OWNERS))


def _adjective_for(d: _Draw, noun: Noun, attributive: bool = True) -> Adjective | None:
  fits = [a for a in ADJECTIVES if a.tags & noun.tags
          and (a.attributive if attributive else a.predicative)]
  return d.pick(fits) if fits else None


def _thing(d: _Draw, tags: frozenset[str], *, bare: bool = False, avoid: str = "") -> Phrase:
  """A noun phrase for something with one of ``tags``; ``bare`` allows "cats" and "tea"."""
  noun = d.pick([n for tag in sorted(tags) for n in _NOUNS_BY_TAG.get(tag, [])])
  if "kin" in noun.tags:  # Only "have" takes family: "I have two sisters" (我有兩個姐姐).
    return noun_phrase(noun, "a" if d.chance(0.6) else _count(d))
  if "person" in noun.tags and d.chance(0.5):
    return _person(d, avoid=avoid)
  if noun.measure == "":
    container = d.pick(CONTAINERS[noun.en])
    det = d.weighted({"bare": 4 if bare else 0, "a": 4, "n": 2, "the": 1})
    if det == "bare" or det == "the":
      return noun_phrase(noun, det)
    return noun_phrase(noun, _count(d) if det == "n" else "a", container=container)
  det = d.weighted({"a": 8, "n": 5, "the": 3, "this": 2, "that": 2, "these": 1, "those": 1,
                    "of": 3, "bare": 2 if bare else 0})
  if det == "of":
    return noun_phrase(noun, of=_owner(d))
  adj = _adjective_for(d, noun) if d.chance(0.3) and det != "bare" else None
  return noun_phrase(noun, _count(d) if det == "n" else det, adj)


def _person(d: _Draw, case: str = "object", avoid: str = "") -> Phrase:
  """Someone: a pronoun, a name, "my brother", "the teacher", "two students".

  ``avoid`` is a pronoun's Chinese that may not come back ("I helped me").
  """
  kind = d.weighted({"pronoun": 4, "name": 3, "family": 4, "people": 2})
  if kind == "pronoun":
    return pronoun(d.pick([p for p in PRONOUNS if PRONOUNS[p][3] != avoid]), case)
  if kind == "name":
    return name(d.pick(NAMES))
  if kind == "family":
    return noun_phrase(d.pick(_NOUNS_BY_TAG["kin"]), of=_owner(d, family=False))
  det = d.weighted({"the": 3, "the plural": 1, "of": 2, "n": 1})
  if det == "of":
    return noun_phrase(d.pick(_OWNERS[-4:]), of=_owner(d, family=False))
  if det == "n":
    noun = d.pick([n for n in _NOUNS_BY_TAG["person"] if "kin" not in n.tags])
    return noun_phrase(noun, _count(d), _adjective_for(d, noun) if d.chance(0.2) else None)
  return noun_phrase(d.pick(_JOBS), det)  # "the teacher", "the students" (學生們).


def _subject(d: _Draw, verb: Verb, question: bool) -> Phrase:
  if verb.weather:
    return IT
  if verb.animate and d.chance(0.2):
    noun = d.pick(_NOUNS_BY_TAG["animal"])
    det = d.weighted({"the": 3, "of": 2, "n": 1, "this": 1})
    if det == "of":
      return noun_phrase(noun, of=_owner(d, family=d.chance(0.5)))
    return noun_phrase(noun, _count(d) if det == "n" else det)
  while True:
    subject = _person(d, "subject")
    # "Do I like tea?" is a question nobody asks.
    if not (question and subject.en == "I"):
      return subject


def _time(d: _Draw, mode: str) -> Time | None:
  """A time expression that goes with ``mode``, or None."""
  if mode == "progressive":
    return TIMES["now"] if d.chance(0.3) else None
  if mode == "present":
    if d.chance(0.5):
      return None
    if d.chance(0.3):
      return weekday(d.pick(WEEKDAYS), every=True)
    return d.pick([t for t in TIMES.values() if "present" in t.modes])
  if mode == "want":  # "I want to swim tomorrow."
    return d.pick([t for t in TIMES.values() if "future" in t.modes]) if d.chance(0.4) else None
  if d.chance(0.35):
    return None
  kind = d.weighted({"word": 6, "clock": 1.5, "date": 1.5, "weekday": 1, "span": 1})
  if kind == "word":
    return d.pick([t for t in TIMES.values() if mode in t.modes])
  if kind == "clock":
    return clock(d.below(12) + 1, half=d.chance(0.3))
  if kind == "date":
    month = d.below(12) + 1
    return date(month, d.below(_MONTH_DAYS[month - 1]) + 1)
  if kind == "weekday":
    return weekday(d.pick(WEEKDAYS))
  return span(d.below(9) + 2, "day", mode == "past") if d.chance(0.7) else span(
      d.below(4) + 2, "week", mode == "past")


def _event(d: _Draw, *, question: bool = False, wh: str | None = None,
           negative: bool = False, time_first_ok: bool = False) -> Clause | None:
  """A random ``clause``, or None where the draw makes no sense (drawn again)."""
  kind = d.weighted({"activity": 3, "thing": 4, "person": 1, "go": 1.5, "give": 0.5})
  if wh in ("what", "how many"):
    kind = "thing"
  elif kind == "activity" and wh is None and not question and d.chance(0.04):
    kind = "weather"
  if kind == "activity":
    verb = d.pick([v for v in ACTIVITIES.values() if not v.weather])
  elif kind == "weather":
    verb = d.pick([v for v in ACTIVITIES.values() if v.weather])
  elif kind == "thing":
    verb = d.pick(_THINGS)
  elif kind == "person":
    verb = d.pick(_PEOPLE_VERBS)
  else:
    verb = GO if kind == "go" else GIVE
  modes = {"present": 3, "past": 4, "progressive": 1.5, "future": 2, "want": 1}
  if verb.stative:
    modes = {"present": 1}
  if not verb.progressive or verb.weather:
    modes.pop("progressive")
  if verb.achievement:
    modes.pop("present")
  if verb.weather:
    modes.pop("want")
  if wh == "when":
    modes = {"past": 1, "future": 1}
  mode = d.weighted(modes)
  if wh == "where" and mode == "progressive":
    return None
  subject = WHO if wh == "who" else _subject(d, verb, question or wh is not None)

  obj = recipient = place = destination = means = adverb = None
  if kind == "thing" or kind == "give":
    if wh == "how many":
      count_nouns = [n for tag in verb.objects for n in _NOUNS_BY_TAG.get(tag, [])
                     if n.measure and "kin" not in n.tags and "person" not in n.tags]
      if not count_nouns:
        return None
      obj = how_many(d.pick(count_nouns))
    else:
      obj = _thing(d, verb.objects, bare=verb.stative or mode == "present", avoid=subject.zh)
  elif kind == "person":
    obj = _person(d, avoid=subject.zh)
  if kind == "give":
    recipient = _person(d, avoid=subject.zh)
  if kind == "go":
    destination = d.pick(_PLACES)
    if d.chance(0.35):
      means = d.pick(MEANS)
  elif not verb.stative and not verb.weather and kind != "give" and (
      d.chance(0.35) or wh == "where"):
    place = d.pick(_PLACES)
  if wh == "where" and place is None and destination is None:
    return None
  # "I like tea" holds at all times: a time word ("every day") would make it odd English.
  time = None if wh == "when" or verb.stative else _time(d, mode)
  if isinstance(verb.zh, dict) and (wh == "what" or not any(t in obj.tags for t in verb.zh)):
    return None  # "What did you wear?" could be 穿 or 戴: English does not say which.
  if (mode == "present" and time is None and not negative and not question and wh is None
      and not verb.stative and not verb.weather and d.chance(0.35)):
    adverb = d.pick(ADVERBS)
  if time is not None and time.zh.startswith("在"):
    # Two 在 in a row (在五月三日在公園…) is clumsy Chinese: one of them goes.
    if wh == "where":
      time = None
    elif place is not None:
      place = None
  # "I read a book" may be past or present: English needs a time word to tell.
  if (verb.past == verb.base and mode in ("present", "past") and not negative
      and not question and wh is None and not subject.third_singular and time is None
      and adverb is None):
    return None
  time_first = time_first_ok and time is not None and d.chance(0.2)
  return clause(subject, verb, mode, negative=negative, question=question, wh=wh, obj=obj,
                recipient=recipient, place=place, destination=destination, means=means,
                time=time, adverb=adverb, time_first=time_first)


def _description(d: _Draw, *, question: bool = False, negative: bool = False) -> Clause | None:
  """"The cat is cute", "My sister is a nurse", "It is cold today"."""
  kind = d.weighted({"thing": 4, "person": 3, "job": 2, "place": 1, "weather": 1})
  very = not negative and d.chance(0.2)
  if kind == "weather":
    mode = d.weighted({"present": 2, "past": 1, "future": 1})
    time = None
    if mode != "present" or d.chance(0.5):
      time = (TODAY if mode == "present"
              else d.pick([t for t in TIMES.values() if mode in t.modes]))
    return be_clause(IT, d.pick(WEATHER), negative=negative, question=question, very=very,
                     mode=mode, time=time)
  if kind == "job":
    subject = _person(d, "subject")
    if question and subject.en == "I":
      return None
    noun = d.pick(_JOBS)
    job = Phrase(f"{_article(noun.en)} {noun.en}" if not subject.plural else noun.plural, noun.zh)
    return be_clause(subject, job=job, negative=negative, question=question)
  if kind == "place":
    place = d.pick([p for p in _PLACES if p.subject])
    adj = d.pick([a for a in ADJECTIVES if "place" in a.tags])
    subject = Phrase(place.subject, place.zh)
  elif kind == "person":
    subject = _person(d, "subject")
    if question and subject.en == "I":
      return None
    adj = d.pick([a for a in ADJECTIVES if "person" in a.tags and a.predicative])
  else:
    noun = d.pick([n for n in NOUNS.values() if "person" not in n.tags])
    adj = _adjective_for(d, noun, attributive=False)
    if adj is None or not adj.predicative:
      return None
    det = d.weighted({"the": 4, "this": 2, "that": 2, "these": 1, "those": 1, "of": 3})
    if noun.measure == "" and det not in ("the", "of"):
      return None  # "This tea" is 這杯茶: a cup English does not name.
    subject = noun_phrase(noun, of=_owner(d)) if det == "of" else noun_phrase(noun, det)
  if adj.color and very:
    very = False
  return be_clause(subject, adj, negative=negative, question=question, very=very)


def _existential(d: _Draw, *, question: bool = False, negative: bool = False,
                 count: bool = False) -> Clause:
  """"There is …", or with ``count`` "How many … are there …?"."""
  location = d.pick(_LOCATIONS)
  nouns = [n for tag in sorted(location.tags) for n in _NOUNS_BY_TAG.get(tag, [])
           if n.measure and "kin" not in n.tags]
  noun = d.pick(nouns)
  if count:
    return there_is(location, how_many(noun), how_many_=True)
  det = "a" if negative or d.chance(0.6) else _count(d)
  adj = _adjective_for(d, noun) if d.chance(0.25) else None
  return there_is(location, noun_phrase(noun, det, adj), negative=negative, question=question)


def _statement(d: _Draw, **kwargs) -> Clause | None:
  negative = d.chance(0.25)
  kind = d.weighted({"event": 6, "description": 2, "there": 1})
  if kind == "event":
    return _event(d, negative=negative, **kwargs)
  if kind == "description":
    return _description(d, negative=negative)
  return _existential(d, negative=negative)


def random_sentence(d: _Draw) -> tuple[str, str] | None:
  """One sentence pair of the grammar, or None where a draw was rejected."""
  kind = d.weighted({"statement": 40, "yes/no": 12, "wh": 12, "because": 9, "but": 9})
  if kind == "statement":
    c = _statement(d, time_first_ok=True)
  elif kind == "yes/no":
    part = d.weighted({"event": 6, "description": 2, "there": 1})
    c = (_event(d, question=True) if part == "event" else _description(d, question=True)
         if part == "description" else _existential(d, question=True))
  elif kind == "wh":
    wh = d.weighted({"what": 3, "where": 2, "who": 2, "when": 1, "how many": 2})
    c = (_existential(d, count=True) if wh == "how many" and d.chance(0.3)
         else _event(d, wh=wh))
  else:
    first, second = _statement(d), _statement(d)
    if first is None or second is None:
      return None
    c = (because(first, second, reason_first=d.chance(0.4)) if kind == "because"
         else but(first, second))
  if c is None:
    return None
  english, zh = sentence(c)
  return (english, zh) if MIN_WORDS <= len(english.split()) <= MAX_WORDS else None


@functools.lru_cache(maxsize=4)
def _corpus(seed: int, sizes: tuple[tuple[str, int], ...]
            ) -> dict[str, tuple[tuple[str, str], ...]]:
  """Every split, drawn in ``_ORDER``, each from its own stream; no sentence repeats."""
  seen_en, seen_zh, corpus = set(), set(), {}
  sizes = dict(sizes)
  for split in _ORDER:
    d = _Draw(np.random.default_rng((seed, list(SPLITS).index(split))))
    pairs = []
    while len(pairs) < sizes[split]:
      pair = random_sentence(d)
      if pair is None or pair[0] in seen_en or pair[1] in seen_zh:
        continue
      seen_en.add(pair[0])
      seen_zh.add(pair[1])
      pairs.append(("", pair[1]) if split == MONO else pair)
    corpus[split] = tuple(pairs)
  return corpus


def generate(split: str, seed: int = SEED) -> list[tuple[str, str]]:
  """The (English, Chinese) pairs of ``split``; in ``mono`` the English is ""."""
  return list(_corpus(seed, tuple(SPLITS.items()))[split])


class EnZhGrammar(tfds.core.GeneratorBasedBuilder):
  """Generated English→Chinese pairs in ted2020's record format (see the module docstring)."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": f"Seed {SEED}; {SPLITS} sentences."}

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
        features=tfds.features.FeaturesDict({"en": tfds.features.Text(),
                                             "zh": tfds.features.Text()}),
        disable_shuffling=True,  # Records in generation order, like ted2020's line order.
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    return {split: self._generate_examples(split) for split in SPLITS}

  def _generate_examples(self, split):
    for i, (en, zh) in enumerate(generate(split)):
      yield i, {"en": en, "zh": zh}
