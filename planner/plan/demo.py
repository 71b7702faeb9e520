"""The demo action plan, drawn from the founding article: axes, objectives, actions, updates.

The app runs on the real clock, so the demo's dates are set relative to the day it is loaded:
some actions are done, some overdue, some due within 30 days, one left without update for
months, whatever the day. The horizons keep the founding plan's years (2017-2019, 2020-2025).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from planner.extensions import db
from planner.members.models import Member, Network, User
from planner.plan import rules
from planner.plan.dates import local_today
from planner.plan.models import ActionStatus, FundingStatus, Horizon

MINISTRY = "Ministère de l'Industrie, du Commerce, de l'Investissement et de l'Économie numérique"
HIGHER_EDUCATION = (
    "Ministère de l'Enseignement supérieur, de la Recherche scientifique et de la Formation "
    "des cadres"
)
GIZ = "GIZ – Programme Taahil Al Mokawalat (TAM 3)"
MOBILISE = "Union européenne – projet Mobilise"
DUES = "Cotisations des membres"

FUNDING_SOURCES = [
    (MINISTRY, "Ministère de tutelle ; a financé la plateforme digitale du réseau."),
    (HIGHER_EDUCATION, "A soutenu l'organisation du Forum interclusters marocains."),
    (GIZ, "Volet « renforcement des capacités opérationnelles des clusters »."),
    (MOBILISE, "Workpackage 2 : collaboration des clusters basée sur l'innovation."),
    (DUES, "Contributions annuelles des 13 clusters membres."),
]

S = "secretariat"  # the owner "the secretariat" (rules.SECRETARIAT_OWNER)

# Each action: (title, owner short name or S, start offset, deadline offset in days from
# the day of loading, status, progress, cost in MAD, funding source, funding status,
# reason, milestones [(title, offset, done)], updates [(days ago, text, progress, status)]).
AXES = [
    ("Structurer le réseau", "Statut juridique, permanents et financement de Maroc Cluster.", [
        ("Doter Maroc Cluster d'un statut juridique", Horizon.MEDIUM,
         "La forme juridique requiert l'avis de tous les membres et un consensus.",
         [("Statut juridique adopté", "", 0, 1, 2019, None)], [
            ("Comparer les formes juridiques possibles (association, GIE, fédération)", S,
             -320, -150, ActionStatus.DONE, 100, 30000, DUES, FundingStatus.SECURED, "",
             [("Note comparative diffusée aux membres", -170, True)],
             [(200, "Note comparative en préparation avec l'appui d'un juriste.", 50,
               ActionStatus.IN_PROGRESS),
              (150, "Note comparative remise et présentée aux directeurs.", 100,
               ActionStatus.DONE)]),
            ("Recueillir l'avis de chaque cluster membre sur le statut", S, -120, -20,
             ActionStatus.IN_PROGRESS, 60, None, None, None, "",
             [("Questionnaire envoyé aux 13 clusters", -100, True)],
             [(40, "8 clusters sur 13 ont répondu ; relance des autres en cours.", 60,
               ActionStatus.IN_PROGRESS)]),
            ("Faire adopter le statut juridique par consensus", S, -10, 75,
             ActionStatus.PLANNED, 0, None, None, None, "", [], []),
        ]),
        ("Recruter des permanents pour le suivi des activités", Horizon.MEDIUM,
         "Décider du recrutement de permanents chargés du suivi des activités du réseau.",
         [("Permanents recrutés", "personnes", 0, 2, 2019, None)], [
            ("Rédiger les fiches de poste des permanents", "CE3M", -60, 18,
             ActionStatus.IN_PROGRESS, 70, None, None, None, "",
             [("Projet de fiches soumis aux directeurs", 5, False)],
             [(12, "Deux fiches rédigées : chargé de mission et assistant.", 70,
               ActionStatus.IN_PROGRESS)]),
            ("Chiffrer le budget des permanents et trouver son financement", "MNC", -45, 45,
             ActionStatus.BLOCKED, 20, 480000, DUES, FundingStatus.PLANNED,
             "En attente de la décision sur le statut juridique.", [],
             [(25, "Budget estimé ; le choix de l'employeur dépend du statut.", 20,
               ActionStatus.BLOCKED)]),
        ]),
        ("Sécuriser les ressources financières du réseau", Horizon.LONG,
         "Disposer de ressources propres et de financements pluriannuels.",
         [("Part des ressources propres", "%", 0, 30, 2025, None)], [
            ("Mettre en place les cotisations annuelles des membres", S, -90, 200,
             ActionStatus.IN_PROGRESS, 30, None, DUES, FundingStatus.REQUESTED, "",
             [("Barème des cotisations proposé", 30, False)],
             [(20, "Barème à trois niveaux selon la taille des clusters.", 30,
               ActionStatus.IN_PROGRESS)]),
            ("Présenter un programme pluriannuel au ministère de tutelle", "Matériaux Settat",
             30, 400, ActionStatus.PLANNED, 0, 150000, MINISTRY, FundingStatus.PLANNED, "",
             [], []),
        ]),
    ]),
    ("Renforcer les capacités opérationnelles des clusters",
     "Accompagnement de la GIZ dans le cadre du programme TAM 3.", [
        ("Mettre en œuvre le cahier des besoins remis à la GIZ", Horizon.MEDIUM,
         "Le cahier des doléances a été remis ; les actions d'accompagnement sont lancées.",
         [("Clusters accompagnés", "clusters", 0, 13, 2019, 5)], [
            ("Remettre à la GIZ le cahier des besoins des clusters", S, -260, -180,
             ActionStatus.DONE, 100, None, GIZ, FundingStatus.SECURED, "", [],
             [(180, "Cahier des doléances remis à la GIZ.", 100, ActionStatus.DONE)]),
            ("Former les équipes d'animation des clusters", "Haliopôlis", -40, 12,
             ActionStatus.IN_PROGRESS, 80, 120000, GIZ, FundingStatus.SECURED, "",
             [("Premier module de formation", -20, True), ("Second module", 10, False)],
             [(15, "Premier module suivi par 11 clusters.", 80, ActionStatus.IN_PROGRESS)]),
            ("Diagnostiquer l'offre de services des clusters aux entreprises", "Océanopôle",
             -150, -35, ActionStatus.IN_PROGRESS, 40, 90000, GIZ, FundingStatus.SECURED, "",
             [("Grille de diagnostic validée", -110, True),
              ("Restitution aux directeurs", -40, False)],
             [(50, "Diagnostic réalisé dans 5 clusters sur 13.", 40,
               ActionStatus.IN_PROGRESS)]),
        ]),
        ("Professionnaliser l'animation des clusters", Horizon.LONG,
         "Un socle commun de services dans chaque cluster membre.", [], [
            ("Élaborer un référentiel commun de services des clusters", "Menara", 60, 420,
             ActionStatus.PLANNED, 0, 60000, GIZ, FundingStatus.REQUESTED, "", [], []),
        ]),
    ]),
    ("Développer la coopération internationale",
     "Projet Mobilise de l'Union européenne et partenariats avec des clusters étrangers.", [
        ("Tirer parti du Workpackage 2 du projet Mobilise", Horizon.MEDIUM,
         "Renforcer la collaboration des clusters basée sur l'innovation.",
         [("Clusters européens rencontrés", "clusters", 0, 40, 2019, 40)], [
            ("Capitaliser les rencontres avec 40 clusters européens", "MNC", -240, -90,
             ActionStatus.DONE, 100, 40000, MOBILISE, FundingStatus.SECURED, "", [],
             [(90, "Synthèse des bonnes pratiques diffusée aux membres.", 100,
               ActionStatus.DONE)]),
            ("Monter un projet collaboratif d'innovation avec un cluster européen",
             "Textile technique", -30, 25, ActionStatus.IN_PROGRESS, 50, 200000, MOBILISE,
             FundingStatus.REQUESTED, "", [("Note d'intention envoyée", 0, True)],
             [(8, "Partenaire espagnol identifié ; note d'intention envoyée.", 50,
               ActionStatus.IN_PROGRESS)]),
        ]),
        ("Faire vivre les partenariats avec les clusters étrangers", Horizon.LONG,
         "Conventions avec les clusters suisse, espagnol et français ; échanges avec la "
         "Turquie, l'Italie, la Belgique et la Tunisie.",
         [("Conventions de partenariat actives", "conventions", 3, 6, 2025, 3)], [
            ("Programme d'échanges avec les clusters suisse, espagnol et français", "Solaire",
             -20, 160, ActionStatus.IN_PROGRESS, 15, 75000, MOBILISE, FundingStatus.PLANNED,
             "", [("Calendrier des échanges arrêté", 40, False)],
             [(10, "Premiers contacts repris avec les trois clusters signataires.", 15,
               ActionStatus.IN_PROGRESS)]),
            ("Missions d'échange avec des clusters de Turquie, d'Italie, de Belgique et de "
             "Tunisie", "Denim", -70, 120, ActionStatus.BLOCKED, 10, 110000, None, None,
             "Le financement des déplacements n'est pas encore trouvé.", [],
             [(30, "Missions préparées ; aucun financement pour les déplacements.", 10,
               ActionStatus.BLOCKED)]),
        ]),
    ]),
    ("Animer la plateforme digitale d'échanges et de mutualisation",
     "Plateforme financée par le ministère de tutelle.", [
        ("Faire de la plateforme l'outil commun des clusters", Horizon.MEDIUM,
         "Échanges entre clusters et mutualisation de leurs ressources.",
         [("Clusters actifs sur la plateforme", "clusters", 0, 13, 2019, 7)], [
            ("Mettre en ligne l'annuaire des compétences des clusters", "Smart City", -100,
             -10, ActionStatus.IN_PROGRESS, 70, 50000, MINISTRY, FundingStatus.SECURED, "",
             [("Fiches des 13 clusters collectées", -30, True)],
             [(20, "Annuaire en recette ; 9 fiches publiées.", 70, ActionStatus.IN_PROGRESS)]),
            ("Ouvrir une bibliothèque de documents partagés", "Smart City Oujda", 0, 60,
             ActionStatus.PLANNED, 0, 25000, MINISTRY, FundingStatus.SECURED, "", [], []),
            ("Former un référent plateforme dans chaque cluster", "Environnement", -130, 100,
             ActionStatus.IN_PROGRESS, 20, 35000, MINISTRY, FundingStatus.REQUESTED, "", [],
             [(95, "Programme de formation défini.", 20, ActionStatus.IN_PROGRESS)]),
        ]),
    ]),
    ("Organiser le Forum interclusters annuel",
     "Avec le soutien du ministère de l'Enseignement supérieur.", [
        ("Tenir le Forum interclusters chaque année", Horizon.LONG,
         "Un rendez-vous annuel des clusters, des entreprises et des universités.",
         [("Participants au forum", "participants", 150, 400, 2025, 220)], [
            ("Dresser le bilan de la dernière édition du Forum", "Biotech Meknès", -200,
             -160, ActionStatus.DONE, 100, None, None, None, "", [],
             [(160, "Bilan diffusé : 220 participants, 12 clusters représentés.", 100,
               ActionStatus.DONE)]),
            ("Préparer la prochaine édition du Forum interclusters", "Biotech Meknès", -30,
             130, ActionStatus.IN_PROGRESS, 25, 350000, HIGHER_EDUCATION,
             FundingStatus.REQUESTED, "",
             [("Programme arrêté", 30, False), ("Invitations envoyées", 80, False)],
             [(6, "Dates et lieu retenus ; demande de soutien déposée.", 25,
               ActionStatus.IN_PROGRESS)]),
            ("Associer les universités et centres de recherche au Forum", "Menara", 10, 90,
             ActionStatus.PLANNED, 0, None, HIGHER_EDUCATION, FundingStatus.PLANNED, "", [],
             []),
            ("Organiser un atelier sur la sous-traitance industrielle", "Solaire", -90, -30,
             ActionStatus.CANCELLED, 0, None, None, None,
             "Regroupé avec le programme du Forum.", [], []),
        ]),
    ]),
]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0))


def load_plan_demo() -> None:
    """Load the demo plan (after the members demo), through the plan's rules."""
    today = local_today()
    network = db.session.scalar(select(Network).limit(1))
    secretariat = db.session.scalar(
        select(User).where(User.email == "secretariat@example.org")
    )
    members = {m.short_name: m for m in db.session.scalars(select(Member))}
    directors = {
        user.member_id: user
        for user in db.session.scalars(select(User).where(User.member_id.is_not(None)))
    }
    rules.set_horizons(secretariat, network, medium_term_start=2017, medium_term_end=2019,
                       long_term_start=2020, long_term_end=2025)
    sources = {
        name: rules.create_funding_source(secretariat, name=name, description=description)
        for name, description in FUNDING_SOURCES
    }
    for axis_title, axis_description, objectives in AXES:
        axis = rules.create_axis(secretariat, title=axis_title, description=axis_description)
        for title, horizon, description, indicators, actions in objectives:
            objective = rules.create_objective(
                secretariat, axis_id=axis.id, title=title, horizon=horizon,
                description=description,
            )
            for name, unit, baseline, target, year, latest in indicators:
                rules.create_indicator(secretariat, objective, rules.IndicatorValues(
                    name=name, unit=unit, baseline=Decimal(baseline), target=Decimal(target),
                    target_year=year,
                    latest_value=None if latest is None else Decimal(latest),
                    latest_value_on=None if latest is None else today - timedelta(days=30),
                ))
            for spec in actions:
                _load_action(secretariat, objective.id, spec, today, sources, members,
                             directors)
    db.session.flush()


def _load_action(secretariat, objective_id, spec, today, sources, members, directors):
    (title, owner, start, due, status, progress, cost, source, funding_status, reason,
     milestones, updates) = spec
    owner_member = None if owner == S else members[owner]
    starts_on = today + timedelta(days=start)
    # Every action starts "planned"; the history below moves it to its present state.
    action = rules.create_action(secretariat, rules.ActionValues(
        objective_id=objective_id, title=title,
        owner=S if owner_member is None else str(owner_member.id),
        starts_on=starts_on, due_on=today + timedelta(days=due),
        responsible_user_id=None if owner_member is None else directors[owner_member.id].id,
        estimated_cost=None if cost is None else Decimal(cost),
        funding_source_id=sources[source].id if source else None,
        funding_status=funding_status,
    ))
    action.created_at = _at(min(starts_on, today) - timedelta(days=7))
    for milestone_title, offset, done in milestones:
        milestone = rules.add_milestone(secretariat, action, title=milestone_title,
                                        due_on=today + timedelta(days=offset))
        if done:
            rules.set_milestone_done(secretariat, milestone, action, True)
            milestone.done_at = _at(today + timedelta(days=offset))
    author = secretariat if owner_member is None else directors[owner_member.id]
    for days_ago, text, update_progress, update_status in updates:
        update = rules.post_update(
            author, action, action.version, text=text, progress=update_progress,
            status=update_status,
            status_reason=reason if update_status in (ActionStatus.BLOCKED,) else "",
        )
        update.created_at = _at(today - timedelta(days=days_ago))
    if action.status != status:  # a last change without a written update (cancellation)
        rules.post_update(secretariat, action, action.version, text=reason or title,
                          progress=progress, status=status, status_reason=reason)
    db.session.flush()
