"""The board renders each column's stage menu once, and every card exactly as it did.

A card's menu of stages is the same for every card of its column (the card is at the
column's stage): ``pipeline_views._stage_options`` renders it once per column instead of
once per card. The board is compared with what the per-card template rendered, kept here.
"""

import re

import pytest
from django.template import Context, Engine, engines
from django.urls import reverse

from prospects.models import Prospect, Stage
from tests import factories

pytestmark = pytest.mark.django_db
BOARD = reverse("prospects:board")
# The board's cards as they were rendered before, each card looping over the stages.
PER_CARD = """{% load i18n %}<div class="board">
{% if unstaged %}<section class="board-column" aria-labelledby="col-none"><h2 id="col-none">{% translate "No stage" %}</h2>
  <ol>{% for prospect in unstaged %}{% include "card" %}{% endfor %}</ol></section>{% endif %}
{% for stage, rows in columns %}
<section class="board-column" aria-labelledby="col-{{ stage.pk }}" data-stage="{{ stage.pk }}" data-outcome="{{ stage.outcome }}">
  <h2 id="col-{{ stage.pk }}">{{ stage.name }} <span class="meta">· {{ stage.get_outcome_display }}</span></h2>
  <ol>{% for prospect in rows %}{% include "card" %}{% empty %}<li class="meta">{% translate "Nobody at this stage." %}</li>{% endfor %}</ol>
  {% if rows|length >= 50 %}<p><a href="{% url 'prospects:list' %}?stage={{ stage.pk }}">{% translate "All prospects at this stage" %}</a></p>{% endif %}
</section>
{% endfor %}
</div>"""  # noqa: E501
CARD = """{% load i18n %}<li class="card board-card" data-prospect="{{ prospect.pk }}"{% if can_move %} draggable="true"{% endif %}>
  <a href="{{ prospect.get_absolute_url }}">{{ prospect.full_name }}</a>{% if prospect.company %} <span class="meta">· {{ prospect.company }}</span>{% endif %}
  {% if prospect.is_customer %}<span class="badge ok">{% translate "customer" %}</span>{% endif %}
  {% if can_move %}<form method="post" action="{% url 'prospects:move' prospect.pk %}" class="inline board-move">{% csrf_token %}
    <label class="sr-only" for="stage-{{ prospect.pk }}">{% translate "Stage" %}</label>
    <select name="stage" id="stage-{{ prospect.pk }}">{% for stage, _rows in columns %}<option value="{{ stage.pk }}"{% if stage.pk == prospect.stage_id %} selected{% endif %}>{{ stage.name }}</option>{% endfor %}</select>
    <button type="submit" class="secondary">{% translate "Move" %}</button></form>{% endif %}
</li>
"""  # noqa: E501
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def per_card(response) -> str:
    installed = engines["django"].engine
    engine = Engine(
        libraries=installed.libraries,
        loaders=[("django.template.loaders.locmem.Loader", {"card": CARD, "board": PER_CARD})],
    )
    context = {name: response.context[name] for name in ("unstaged", "can_move", "csrf_token")}
    context["columns"] = [(stage, rows) for stage, rows, _options in response.context["columns"]]
    return engine.get_template("board").render(Context(context))


def board_of(page: str) -> str:
    start = page.index('<div class="board">')
    return page[start : page.index("</div>", start) + len("</div>")]


@pytest.fixture
def board_base(rep):
    stages = list(Stage.objects.order_by("position", "pk"))
    stages[1].name = '<b>"Contacted"</b> & co'
    stages[1].save()
    made = factories.many_prospects(by=rep, count=9)
    Prospect.objects.filter(pk__in=[p.pk for p in made[:3]]).update(stage=stages[0])
    Prospect.objects.filter(pk__in=[p.pk for p in made[3:6]]).update(stage=stages[1], is_customer=True)
    return stages


@pytest.mark.parametrize("who", ["rep", "dpo"])
def test_every_card_and_its_stage_menu_render_as_they_did_card_by_card(who, rep, dpo, client, board_base):
    factories.log_in(client, {"rep": rep, "dpo": dpo}[who])

    response = client.get(BOARD)

    assert response.status_code == 200
    shown = TOKEN.sub("TOKEN", board_of(response.content.decode()))
    assert shown == TOKEN.sub("TOKEN", per_card(response))
    assert shown.count('<li class="card board-card"') == 9
    if who == "rep":
        assert shown.count(f'<option value="{board_base[0].pk}" selected>') == 3
        assert shown.count(f'<option value="{board_base[1].pk}" selected>') == 3
        assert "&lt;b&gt;&quot;Contacted&quot;&lt;/b&gt; &amp; co</option>" in shown
    else:
        assert "<select" not in shown
