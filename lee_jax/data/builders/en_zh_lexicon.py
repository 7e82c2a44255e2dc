"""The bilingual lexicon of HW5's generated translation: about 300 English words with their Chinese.

A seq2seq model learns the generated corpus (``en_zh_grammar``) only if each English sentence has
one right translation, so an entry holds more than a word's Chinese: what the grammar
(``en_zh_sentences``) needs to translate it in context. A noun has its measure word (隻 in 三隻貓;
none for a mass noun, counted by a container: 兩杯茶), an adjective its form before a noun and
after a subject (快樂的 but 高興; 紅色的 but 是紅色的), a verb its English inflections, its Chinese
by the object's tag (穿 or 戴) and the tenses it allows (no "is finding"). The tags say which
nouns a verb or an adjective takes, so that drawn sentences make sense: one eats an apple, not a
car. The tables are whitespace-separated text, so that an entry reads as one row; ``vocabulary()``
counts the English words. Numbers, clock times and dates are built from words, not listed: they
are in ``en_zh_sentences``.
"""

from __future__ import annotations

from typing import NamedTuple


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
  return [[field.replace("_", " ") for field in line.split()] for line in text.strip().splitlines()]


_GOODS = "food,drink,reading,animal,vehicle,clothes,accessory,thing"


def _tags(field: str) -> frozenset[str]:
  """Comma-separated tags; "goods" is everything one can buy."""
  return frozenset(field.replace("goods", _GOODS).split(","))


# English singular, plural, Chinese, measure word, tags.
NOUNS = {
    row[0]: Noun(row[0], row[1], row[2], row[3], _tags(row[4])) for row in _table("""
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
""")
}
NOUNS = {
    en: noun._replace(measure="") if noun.measure == "-" else noun for en, noun in NOUNS.items()
}

# Mass noun -> the containers it is counted in: English (singular, plural), measure word.
CONTAINERS = {
    "rice": [("bowl", "bowls", "碗")],
    "noodles": [("bowl", "bowls", "碗")],
    "tea": [("cup", "cups", "杯")],
    "coffee": [("cup", "cups", "杯")],
    "water": [("glass", "glasses", "杯"), ("bottle", "bottles", "瓶")],
    "milk": [("glass", "glasses", "杯"), ("bottle", "bottles", "瓶")],
    "juice": [("glass", "glasses", "杯"), ("bottle", "bottles", "瓶")],
}

# English, before a noun, as a predicate ("-": never), the tags it describes, a color?
ADJECTIVES = [
    Adjective(row[0], "" if row[1] == "-" else row[1], "" if row[2] == "-" else row[2],
              _tags(row[3]),
              len(row) > 4) for row in _table("""
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
""")
]
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
    **_verbs(
        """
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
    **_verbs(
        """
find    finds    found     finding    找到  losable,animal
lose    loses    lost      losing     弄丟  losable
see     sees     saw       seeing     看到  animal,vehicle,person
meet    meets    met       meeting    遇到  person
""", progressive=False, achievement=True),
    **_verbs(
        """
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
    **_activities(
        """
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
    **_activities(
        """
rain   rains   rained  raining   -  下  雨
snow   snows   snowed  snowing   -  下  雪
""", weather=True),
}

# Place: "in the library", "to the library", Chinese, as a predicate's subject ("-": never);
# looked up as "library".
PLACES = {
    row[1].removeprefix("to ").removeprefix("the "): Place(row[0], row[1], row[2], "" if row[3]
                                                           == "-" else row[3]) for row in _table("""
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
""")
}


class Location(NamedTuple):
  """Where "there is" something: the place comes first in Chinese (樹下有…)."""

  en: str
  zh: str
  tags: frozenset[str]  # What can be there.


LOCATIONS = {
    row[0]: Location(row[0], row[1], _tags(row[2])) for row in _table("""
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
""")
}

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
    **{
        en: Time(en, zh, PAST) for en, zh in _table("""
yesterday      昨天
last_night     昨天晚上
this_morning   今天早上
last_week      上個星期
last_month     上個月
last_year      去年
last_weekend   上個週末
""")
    },
    **{
        en: Time(en, zh, FUTURE) for en, zh in _table("""
tomorrow          明天
tomorrow_morning  明天早上
tonight           今天晚上
next_week         下個星期
next_month        下個月
next_year         明年
next_weekend      下個週末
""")
    },
    **{
        en: Time(en, zh, HABIT) for en, zh in _table("""
every_day      每天
every_morning  每天早上
every_evening  每天晚上
every_week     每個星期
every_weekend  每個週末
""")
    },
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
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Subject, object, possessive, Chinese; person and number, for English agreement.
PRONOUNS = {
    row[0]: row
    for row in [("I", "me", "my", "我", 1,
                 False), ("you", "you", "your", "你", 2,
                          False), ("he", "him", "his", "他", 3,
                                   False), ("she", "her", "her", "她", 3,
                                            False), ("we", "us", "our", "我們", 1,
                                                     True), ("they", "them", "their", "他們", 3,
                                                             True)]
}
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
  entries = [
      *NOUNS, *(a.en for a in ADJECTIVES), *WEATHER, *VERBS, *ACTIVITIES, GIVE.base, GO.base,
      *(p.at for p in PLACES.values()), *LOCATIONS, *MEANS, *ADVERBS, *TIMES, *WEEKDAYS, *MONTHS,
      *PRONOUNS, *NAMES
  ]
  return {word for entry in entries for word in entry.split()}
