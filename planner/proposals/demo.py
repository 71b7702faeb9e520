"""The demo's proposals: the legal status (a choice with its criteria grid, then a consensus
motion blocked in round 1 by the objection the founding article reports, amended in round 2)
and the recruitment of permanent staff (simple majority), all through the proposals rules.

They sit on the decision items of the founding meeting when the meetings demo made it; without
it they are votes between meetings closing in three weeks. Ballots are cast by the demo
directors' own accounts (director.<slug>@example.org); no person is invented.
"""

from datetime import timedelta

from sqlalchemy import select

from planner.core.time import utcnow
from planner.extensions import db
from planner.meetings.models import AgendaItem, AgendaItemKind
from planner.members.models import User
from planner.proposals import queries, rules
from planner.proposals.models import DecisionRule, FollowUpStatus, Position, ProposalKind

LEGAL_STATUS_ITEM = "Statut juridique de Maroc Cluster"
STAFFING_ITEM = "Recrutement de permanents"

OPTIONS = [
    "Association",
    "Groupement d'intérêt économique (GIE)",
    "Fédération de clusters",
    "Rester informel pour l'instant",
]
CRITERIA = [
    "Coût et simplicité de création",
    "Capacité à recevoir des financements",
    "Capacité à recruter des permanents",
    "Autonomie des clusters membres",
]

CHOICE_TEXT = (
    "Quelle forme juridique pour Maroc Cluster ?\n\n"
    "La forme juridique du réseau « requiert l'avis de tous ses membres et un consensus ». "
    "Ce premier tour indique l'option préférée ; la grille de critères compare les options "
    "avant le choix. La décision elle-même sera prise par consensus."
)

MOTION_V1 = (
    "Maroc Cluster se dote **dès 2017** d'une structure juridique propre, dont la forme est "
    "choisie d'après la grille comparative des statuts."
)
MOTION_V2 = (
    "Maroc Cluster prépare **dès 2017** ses statuts, dont la forme est choisie d'après la "
    "grille comparative des statuts, et les dépose lorsque le réseau comptera **15 clusters "
    "membres**."
)
OBJECTION = (
    "Prématuré : le réseau n'a pas encore atteint la taille critique. France Clusters a monté "
    "sa structure lorsque son réseau comptait 15 clusters ; nous en sommes à 13."
)

STAFFING_TEXT = (
    "Maroc Cluster recrute **dès maintenant** des permanents chargés du suivi des activités "
    "du réseau.\n\n"
    "- *D'accord* : le recrutement est lancé.\n"
    "- *Objection* : pas encore ; la question revient lorsque le réseau aura atteint la "
    "taille critique."
)


def _director(slug: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"director.{slug}@example.org"))


def _item(title: str) -> AgendaItem | None:
    return db.session.scalar(
        select(AgendaItem).where(AgendaItem.title == title,
                                 AgendaItem.kind == AgendaItemKind.DECISION)
    )


def _open(secretariat: User, proposal, item: AgendaItem | None) -> None:
    closes_at = None if item is not None else utcnow() + timedelta(days=21)
    rules.open_round(secretariat, queries.current_round(proposal.id), closes_at)


def _cast(proposal, slug: str, position: Position | None = None, reason: str = "",
          option: str | None = None) -> None:
    director = _director(slug)
    option_id = None
    if option is not None:
        option_id = next(o.id for o in queries.options_of(proposal.id) if o.label == option)
    rules.cast(director, queries.current_round(proposal.id), director.member,
               position=position, option_id=option_id, reason=reason)


def load_proposals_demo() -> None:
    secretariat = db.session.scalar(select(User).where(User.email == "secretariat@example.org"))
    legal_item = _item(LEGAL_STATUS_ITEM)
    staffing_item = _item(STAFFING_ITEM)

    # 1. The legal status as a choice, with its criteria grid: open, being scored.
    choice = rules.create_proposal(
        secretariat, title="Statut juridique : quelle forme pour Maroc Cluster ?",
        text=CHOICE_TEXT, kind=ProposalKind.CHOICE, rule=DecisionRule.SIMPLE_MAJORITY,
        agenda_item_id=legal_item.id if legal_item else None, options=OPTIONS,
        criteria=CRITERIA,
    )
    _open(secretariat, choice, legal_item)
    criteria = queries.criteria_of(choice.id)
    options = queries.options_of(choice.id)
    for slug, rows in {
        "ce3m": [[4, 3, 5, 3], [3, 4, 3, 4], [2, 3, 2, 5], [5, 1, 1, 5]],
        "mnc": [[4, 4, 4, 3], [3, 4, 3, 4], [2, 4, 3, 4], [5, 1, 1, 5]],
        "menara": [[3, 2, 4, 4], [2, 3, 4, 3], [2, 3, 3, 5], [5, 1, 1, 5]],
    }.items():
        director = _director(slug)
        scores = {(c.id, o.id): rows[i][j] for i, c in enumerate(criteria)
                  for j, o in enumerate(options)}
        rules.score_options(director, choice, director.member, scores)
    _cast(choice, "ce3m", option="Association")
    _cast(choice, "mnc", option="Association")
    _cast(choice, "menara", option="Rester informel pour l'instant")

    # 2. The legal status as a consensus motion: round 1 blocked, round 2 amended and open.
    motion = rules.create_proposal(
        secretariat, title="Doter Maroc Cluster d'une structure juridique",
        text=MOTION_V1, kind=ProposalKind.MOTION, rule=DecisionRule.CONSENSUS,
        agenda_item_id=legal_item.id if legal_item else None,
    )
    _open(secretariat, motion, legal_item)
    for slug in ("ce3m", "mnc", "menara", "haliopolis", "oceanopole", "environnement",
                 "smart-city", "biotech-meknes"):
        _cast(motion, slug, Position.AGREE)
    _cast(motion, "materiaux-settat", Position.RESERVATIONS,
          "D'accord, à condition que les moyens financiers de la structure soient identifiés.")
    _cast(motion, "solaire", Position.OBJECT, OBJECTION)
    rules.close_round(secretariat, queries.current_round(motion.id))
    objector = _director("solaire").member_id
    round_2 = rules.new_round(secretariat, motion, MOTION_V2,
                              {objector: FollowUpStatus.ANSWERED})
    follow_up = queries.follow_ups(round_2.id)[0]
    rules.update_follow_up(secretariat, follow_up, FollowUpStatus.ANSWERED,
                           "Le dépôt des statuts attend la taille critique de 15 clusters.")
    _open(secretariat, motion, legal_item)
    for slug in ("ce3m", "mnc", "menara"):
        _cast(motion, slug, Position.AGREE)

    # 3. Recruiting permanent staff now, or not yet: simple majority, open.
    staffing = rules.create_proposal(
        secretariat, title="Recruter des permanents dès maintenant",
        text=STAFFING_TEXT, kind=ProposalKind.MOTION, rule=DecisionRule.SIMPLE_MAJORITY,
        agenda_item_id=staffing_item.id if staffing_item else None,
    )
    _open(secretariat, staffing, staffing_item)
    db.session.flush()
