"""The demo's founding meeting: 16 December 2016, Casablanca, alongside MIDEST 2016.

Everything here comes from the founding article (seeds/000_*.txt); the article gives the
date, not the hours, so the meeting is set from 10:00 to 13:30, long enough for the agenda.
Attendance is left to be recorded.
"""

from datetime import datetime

from sqlalchemy import select

from planner.core.time import to_utc
from planner.extensions import db
from planner.meetings import rules
from planner.meetings.models import AgendaItemKind, Meeting
from planner.members.models import Member, Network

TITLE = "Réunion stratégique de Maroc Cluster : stratégie et plan d'actions"

AGENDA = [
    ("Revue des actions précédentes", AgendaItemKind.REVIEW, 15,
     "Où en sont les actions engagées depuis la création du réseau en décembre 2014."),
    ("Stratégie de moyen et long termes", AgendaItemKind.DECISION, 60,
     "Doter Maroc Cluster d'une vraie stratégie de moyen et long termes, pour jouer pleinement "
     "sa mission de réseau des clusters établis au Maroc."),
    ("Plan d'actions de la stratégie", AgendaItemKind.DECISION, 45,
     "Décliner la stratégie en plan d'actions : actions, responsables, échéances, moyens."),
    ("Recrutement de permanents", AgendaItemKind.DECISION, 20,
     "Recruter ou non des permanents chargés du suivi des activités du réseau. Certains membres "
     "jugent prématuré d'en parler tant que le réseau n'a pas atteint la taille critique "
     "(France Clusters a monté sa structure lorsque son réseau comptait 15 clusters)."),
    ("Statut juridique de Maroc Cluster", AgendaItemKind.DECISION, 30,
     "Choix de la forme juridique du réseau. Il requiert l'avis de tous les membres et un "
     "consensus."),
    ("Appuis financiers et techniques", AgendaItemKind.INFORMATION, 30,
     "GIZ, programme Taahil Al Mokawalat (TAM 3), volet « renforcement des capacités "
     "opérationnelles des clusters » : le cahier des besoins a été remis, les actions "
     "d'accompagnement seront lancées prochainement. Union européenne, projet « Mobilise », "
     "Workpackage 2 : rencontres avec 40 clusters européens. Clusters partenaires : conventions "
     "signées avec les clusters suisse, espagnol et français ; échanges avec des clusters de "
     "Turquie, d'Italie, de Belgique et de Tunisie."),
]


def load_meetings_demo() -> Meeting:
    network = db.session.scalar(select(Network).limit(1))
    tz = network.timezone if network else "Africa/Casablanca"
    secretariat_id = network.secretariat_member_id if network else None
    if secretariat_id is None:
        secretariat_id = db.session.scalar(select(Member.id).where(Member.short_name == "CE3M"))
    meeting = rules.create_meeting(
        None,
        title=TITLE,
        starts_at=to_utc(datetime(2016, 12, 16, 10, 0), tz),
        ends_at=to_utc(datetime(2016, 12, 16, 13, 30), tz),
        venue="Parc d'exposition de l'Office des foires et expositions de Casablanca",
        address="Casablanca",
        context="En marge du MIDEST 2016, Salon international de la machine-outil et de la "
                "sous-traitance industrielle (14–17 décembre 2016)",
        objectives="Sortir de cette réunion avec une stratégie à moyen et long termes déclinée "
                   "en plan d'actions. Discuter aussi du recrutement de permanents et du choix "
                   "du statut juridique du réseau.",
        minutes_language="fr",
    )
    for title, kind, minutes, description in AGENDA:
        rules.add_item(
            None, meeting, title=title, kind=kind, duration_minutes=minutes,
            description=description,
            presenter_member_id=secretariat_id, presenter_name="",
        )
    rules.move_meeting(None, meeting, "convene")
    return meeting
