"""Seeded data sets for the benchmark (demo, medium, large), made through the domains' rules.

Every size starts from the demo network (`load_demo()`), so the demo accounts log in at every
size, then adds generated member clusters, meetings, proposals with their rounds and ballots,
and action items with their progress updates, each through the rule a person's click would
call. What the rules do not need is left out: one password hash for every account (as the
demo does), commits in batches, and no re-reading of rows the session already holds.

Every size also gets one closed 30-item meeting with notes on each item (the minutes page
the benchmark loads), so that the minutes compare like with like across sizes.
"""

import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from planner.core.time import utcnow
from planner.demo import load_demo
from planner.extensions import db
from planner.meetings import rules as meeting_rules
from planner.meetings.demo import TITLE as FOUNDING_TITLE
from planner.meetings.models import AgendaItemKind, AttendanceStatus, Meeting, MeetingStatus
from planner.members import rules as member_rules
from planner.members.demo import DEMO_PASSWORD
from planner.members.models import Member, User
from planner.minutes import rules as minutes_rules
from planner.plan import rules as plan_rules
from planner.plan.dates import local_today
from planner.plan.models import ActionStatus, FundingSource, Horizon, Objective, StrategicAxis
from planner.proposals import queries as proposal_queries
from planner.proposals import rules as proposal_rules
from planner.proposals.models import (
    Ballot,
    DecisionRule,
    Outcome,
    Position,
    Proposal,
    ProposalKind,
    Round,
    RoundStatus,
)


@dataclass(frozen=True)
class Size:
    name: str
    members: int  # member clusters in all, the demo's 13 included
    meetings: int  # meetings in all, the demo's and the 30-item one included
    items: int  # agenda items of each generated meeting
    proposals: int  # proposals in all, the demo's 3 included
    rounds: int  # rounds of each generated proposal
    ballots: int  # ballots cast in the generated proposals, about
    actions: int  # action items in all, the demo's included
    updates: int  # progress updates per generated action, on average


SIZES = {
    "demo": Size("demo", 13, 2, 15, 3, 3, 0, 0, 0),
    "medium": Size("medium", 100, 50, 15, 300, 3, 30_000, 5_000, 2),
    "large": Size("large", 1_000, 500, 15, 3_000, 1, 100_000, 20_000, 2),
}

MINUTES_ITEMS = 30
BATCH = 200  # rule calls between commits, about
OPEN_SHARE = 0.1  # share of generated proposals whose last round stays open
SECTORS = [
    "Aéronautique",
    "Automobile",
    "Agroalimentaire",
    "Textile",
    "Numérique",
    "Logistique",
    "Énergies renouvelables",
    "Mines",
    "Pharmacie",
    "Électronique",
    "Tourisme",
    "Halieutique",
    "Plasturgie",
    "Cosmétique",
    "Bâtiment",
    "Économie verte",
]
CITIES = [
    "Casablanca",
    "Rabat",
    "Tanger",
    "Fès",
    "Marrakech",
    "Agadir",
    "Meknès",
    "Oujda",
    "Kénitra",
    "Tétouan",
    "Settat",
    "El Jadida",
    "Laâyoune",
    "Dakhla",
    "Béni Mellal",
    "Nador",
]
WORDS = [
    "plan",
    "stratégie",
    "clusters",
    "réseau",
    "formation",
    "export",
    "innovation",
    "financement",
    "partenariat",
    "plateforme",
    "forum",
    "étude",
    "marché",
    "qualité",
    "compétences",
    "numérique",
    "emploi",
    "recherche",
    "industrie",
    "coopération",
    "territoire",
    "programme",
    "appui",
    "mutualisation",
    "achats",
    "certification",
]


class Generator:
    def __init__(self, size: Size, seed: int, log=print):
        self.size = size
        self.random = random.Random(seed)
        self.log = log
        self.timings: dict[str, float] = {}
        self.pending = 0
        self.today = local_today()
        self.now = utcnow()

    # --- helpers ------------------------------------------------------------------------

    def words(self, low: int, high: int) -> str:
        return " ".join(self.random.choice(WORDS) for _ in range(self.random.randint(low, high)))

    def sentence(self, low: int = 4, high: int = 9) -> str:
        text = self.words(low, high)
        return text[0].upper() + text[1:]

    def tick(self, calls: int = 1) -> None:
        """Commit every BATCH rule calls: small transactions, a bounded session."""
        self.pending += calls
        if self.pending >= BATCH:
            db.session.commit()
            self.pending = 0

    def phase(self, name: str, function) -> None:
        started = time.perf_counter()
        function()
        db.session.commit()
        self.pending = 0
        self.timings[name] = round(time.perf_counter() - started, 1)
        self.log(f"  {name}: {self.timings[name]} s")

    # --- the whole set ------------------------------------------------------------------

    def run(self) -> dict:
        """Load the demo into an empty database, or grow the data set already there."""
        from planner.demo import database_is_empty

        session = db.session()
        session.expire_on_commit = False  # objects stay readable after each batch commit
        try:
            self.phase("demo", self.load_demo if database_is_empty() else self.find_demo)
            self.phase("members", self.add_members)
            self.phase("meetings", self.add_meetings)
            self.phase("proposals", self.add_proposals)
            self.phase("minutes meeting", self.add_minutes_meeting)
            self.phase("actions", self.add_actions)
        finally:
            session.expire_on_commit = True
        return self.counts()

    def load_demo(self) -> None:
        load_demo()
        db.session.flush()
        self.find_demo()

    def find_demo(self) -> None:
        self.secretariat = db.session.scalar(
            select(User).where(User.email == "secretariat@example.org")
        )
        self.password_hash = self.secretariat.password_hash  # computed once by the demo

    def add_members(self) -> None:
        existing = db.session.scalar(select(func.count(Member.id)))
        for number in range(existing + 1, self.size.members + 1):
            sector, city = self.random.choice(SECTORS), self.random.choice(CITIES)
            member = member_rules.create_member(
                None,
                name=f"Cluster {sector} {city} n° {number}",
                short_name=f"C{number:04d}",
                sector=sector,
                city=city,
                joined_on=date(2015, 1, 1) + timedelta(days=number),
            )
            user = member_rules.create_user(
                None,
                email=f"director.{member.slug}@example.org",
                full_name=f"Direction {member.short_name}",
                member_id=member.id,
            )
            user.password_hash = self.password_hash
            self.tick(2)
        db.session.flush()
        self.members = list(
            db.session.scalars(select(Member).where(Member.is_active.is_(True)).order_by(Member.id))
        )
        self.directors = {
            user.member_id: user
            for user in db.session.scalars(select(User).where(User.member_id.is_not(None)))
        }

    # --- meetings -------------------------------------------------------------------------

    def _meeting(
        self,
        starts_at: datetime,
        items: int,
        title: str,
        decisions: int | None = None,
        hours: int = 7,
    ) -> Meeting:
        meeting = meeting_rules.create_meeting(
            self.secretariat,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            venue=f"Siège du cluster, {self.random.choice(CITIES)}",
            address=self.random.choice(CITIES),
            context=self.sentence(),
            objectives=self.sentence(8, 16),
            minutes_language="fr",
        )
        kinds = [AgendaItemKind.REVIEW] + [
            self.random.choice(
                (
                    AgendaItemKind.INFORMATION,
                    AgendaItemKind.DISCUSSION,
                    AgendaItemKind.DECISION,
                    AgendaItemKind.DECISION,
                )
            )
            for _ in range(items - 1)
        ]
        if decisions is not None:  # exactly this many decision items, spread over the agenda
            kinds = [AgendaItemKind.REVIEW] + [
                AgendaItemKind.DECISION
                if n % (items // decisions) == (items // decisions) // 2
                and n // (items // decisions) < decisions
                else self.random.choice((AgendaItemKind.INFORMATION, AgendaItemKind.DISCUSSION))
                for n in range(1, items)
            ]
        for kind in kinds:
            presenter = self.random.choice(self.members)
            meeting_rules.add_item(
                self.secretariat,
                meeting,
                title=self.sentence(3, 7),
                kind=kind,
                duration_minutes=self.random.choice((10, 15, 20, 30)),
                description=self.sentence(6, 20),
                presenter_member_id=presenter.id,
                presenter_name="",
            )
        self.tick(items + 1)
        return meeting

    def _attendance(self, meeting: Meeting, share: float) -> None:
        """A share of the members present, some represented by a present one, some excused."""
        chosen = self.random.sample(self.members, max(3, int(len(self.members) * share)))
        present = chosen[: int(len(chosen) * 0.8)]
        entries = [meeting_rules.AttendanceEntry(m.id, AttendanceStatus.PRESENT) for m in present]
        holders = list(present)
        self.random.shuffle(holders)
        for member in chosen[len(present) :]:
            if holders and self.random.random() < 0.5:
                entries.append(
                    meeting_rules.AttendanceEntry(
                        member.id, AttendanceStatus.REPRESENTED, holders.pop().id
                    )
                )
            else:
                entries.append(meeting_rules.AttendanceEntry(member.id, AttendanceStatus.EXCUSED))
        meeting_rules.record_attendance_sheet(self.secretariat, meeting, entries)
        self.tick(len(entries) // 10 + 1)

    def add_meetings(self) -> None:
        """Generated meetings: most past and closed, the last tenth to come (convened)."""
        self.past_meetings: list[Meeting] = []
        self.coming_meetings: list[Meeting] = []
        have = db.session.scalar(select(func.count(Meeting.id))) or 0
        generated = max(0, self.size.meetings - max(have, 1) - 1)  # and the 30-item one
        share = min(1.0, 40 / len(self.members))
        for index in range(generated):
            first_coming = generated - max(1, generated // 10)
            coming = index >= first_coming
            days = (index - first_coming + 1) * 14 if coming else -(generated - index) * 14
            starts_at = datetime.combine(
                self.today + timedelta(days=days), datetime.min.time()
            ) + timedelta(hours=9)
            meeting = self._meeting(starts_at, self.size.items, f"Réunion du réseau n° {index + 1}")
            meeting_rules.move_meeting(self.secretariat, meeting, "convene")
            if not coming:
                self._attendance(meeting, share)
                self.past_meetings.append(meeting)
            else:
                self.coming_meetings.append(meeting)

    # --- proposals --------------------------------------------------------------------------

    def _answer(self, proposal: Proposal, options: list[int]) -> dict:
        if proposal.kind is ProposalKind.CHOICE:
            if self.random.random() < 0.1:
                return {"position": Position.ABSTAIN}
            return {"option_id": self.random.choice(options)}
        roll = self.random.random()
        if roll < 0.7:
            return {"position": Position.AGREE}
        if roll < 0.8:
            return {"position": Position.RESERVATIONS, "reason": self.sentence()}
        if roll < 0.92:
            return {"position": Position.ABSTAIN}
        return {"position": Position.OBJECT, "reason": self.sentence(6, 14)}

    def _cast_all(
        self, proposal: Proposal, round_: Round, count: int, voters: list[Member]
    ) -> None:
        options = (
            [o.id for o in proposal_queries.options_of(proposal.id)]
            if proposal.kind is ProposalKind.CHOICE
            else []
        )
        for member in self.random.sample(voters, min(count, len(voters))):
            proposal_rules.cast(
                self.directors[member.id], round_, member, **self._answer(proposal, options)
            )
        self.tick(count // 4 + 1)

    def add_proposals(self) -> None:
        """Proposals on the meetings' decision items and between meetings, round by round."""
        from planner.meetings.models import AgendaItem

        generated = max(
            0, self.size.proposals - (db.session.scalar(select(func.count(Proposal.id))) or 0)
        )
        rounds = generated * self.size.rounds
        per_round = max(1, self.size.ballots // max(rounds, 1)) if generated else 0
        decision_items = {
            meeting.id: list(
                db.session.scalars(
                    select(AgendaItem).where(
                        AgendaItem.meeting_id == meeting.id,
                        AgendaItem.kind == AgendaItemKind.DECISION,
                    )
                )
            )
            for meeting in self.past_meetings + self.coming_meetings
        }
        # Half of the proposals sit on decision items, spread over the meetings.
        slots = [
            (meeting, item)
            for meeting in self.past_meetings + self.coming_meetings
            for item in decision_items[meeting.id]
        ]
        self.random.shuffle(slots)
        slots = slots[: generated // 2]
        by_meeting: dict[int, list] = {}
        for meeting, item in slots:
            by_meeting.setdefault(meeting.id, []).append(item)
        for meeting in self.past_meetings:
            for item in by_meeting.get(meeting.id, []):
                self._proposal(item, per_round, close_last=True)
            meeting_rules.move_meeting(self.secretariat, meeting, "open")
            meeting_rules.move_meeting(self.secretariat, meeting, "close")
            self.tick(2)
        for meeting in self.coming_meetings:
            for item in by_meeting.get(meeting.id, []):
                self._proposal(item, per_round, close_last=self.random.random() > 0.5)
        for _ in range(generated - len(slots)):
            self._proposal(None, per_round, close_last=self.random.random() > OPEN_SHARE)

    def _proposal(self, item, per_round: int, close_last: bool, rounds: int | None = None) -> None:
        rounds = rounds or self.size.rounds
        choice = self.random.random() < 0.1
        # Rounds without consensus lead to the next round; single rounds take any rule.
        rule = DecisionRule.CONSENSUS if rounds > 1 else self.random.choice(list(DecisionRule))
        if choice:
            rule = DecisionRule.SIMPLE_MAJORITY
        options = [self.sentence(2, 4) + f" ({n})" for n in range(1, 4)] if choice else []
        proposal = proposal_rules.create_proposal(
            self.secretariat,
            title=self.sentence(4, 9)[:200],
            text=self.sentence(20, 60),
            kind=ProposalKind.CHOICE if choice else ProposalKind.MOTION,
            rule=rule,
            agenda_item_id=item.id if item is not None else None,
            options=options,
        )
        voters = self.members
        for number in range(1, rounds + 1):
            round_ = proposal_queries.current_round(proposal.id)
            closes_at = None if item is not None else self.now + timedelta(days=30)
            proposal_rules.open_round(self.secretariat, round_, closes_at)
            self._cast_all(
                proposal, round_, self.random.randint(per_round // 2, per_round * 3 // 2), voters
            )
            last = number == rounds
            if last and not close_last:
                break
            decision = proposal_rules.close_round(self.secretariat, round_)
            if last or decision.outcome in (Outcome.ADOPTED, Outcome.REJECTED):
                break
            proposal_rules.new_round(
                self.secretariat, proposal, proposal.text + "\n\n" + self.sentence(8, 20)
            )
            self.tick(3)
        self.tick(3)

    # --- the 30-item meeting and its minutes ------------------------------------------------

    def add_minutes_meeting(self) -> None:
        starts_at = datetime.combine(
            self.today - timedelta(days=3), datetime.min.time()
        ) + timedelta(hours=8)
        meeting = self._meeting(
            starts_at,
            MINUTES_ITEMS,
            "Assemblée annuelle : bilan en 30 points",
            decisions=5,
            hours=11,
        )
        meeting_rules.move_meeting(self.secretariat, meeting, "convene")
        self._attendance(meeting, min(1.0, 40 / len(self.members)))
        from planner.meetings.models import AgendaItem

        items = list(
            db.session.scalars(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting.id)
                .order_by(AgendaItem.position)
            )
        )
        for item in items:
            if item.kind is AgendaItemKind.DECISION:
                self._proposal(item, min(30, len(self.members)), close_last=True, rounds=1)
        meeting_rules.move_meeting(self.secretariat, meeting, "open")
        meeting_rules.move_meeting(self.secretariat, meeting, "close")
        for item in items:
            body = "\n\n".join(self.sentence(12, 30) + "." for _ in range(3))
            minutes_rules.save_note(self.secretariat, item, body, None)
        minutes_rules.circulate(self.secretariat, meeting)
        self.minutes_meeting_id = meeting.id

    # --- the action plan ----------------------------------------------------------------------

    def add_actions(self) -> None:
        objectives = list(db.session.scalars(select(Objective)))
        sources = list(db.session.scalars(select(FundingSource)))
        from planner.plan.models import ActionItem

        have = db.session.scalar(select(func.count(ActionItem.id))) or 0
        wanted = self.size.actions - have
        if wanted <= 0:
            return
        # A few more axes and objectives, so that the tree is not 20,000 actions on 10 nodes.
        for number in range(1, min(5, wanted // 1000) + 1):
            axis = plan_rules.create_axis(
                self.secretariat,
                title=f"Axe {number} : {self.sentence(2, 5)}",
                description=self.sentence(8, 16),
            )
            for _ in range(4):
                objectives.append(
                    plan_rules.create_objective(
                        self.secretariat,
                        axis_id=axis.id,
                        title=self.sentence(3, 7),
                        horizon=self.random.choice(list(Horizon)),
                        description=self.sentence(6, 12),
                    )
                )
            self.tick(5)
        for _ in range(wanted):
            self._action(objectives, sources)

    def _action(self, objectives: list[Objective], sources: list[FundingSource]) -> None:
        pick = self.random
        owner_member = pick.choice(self.members) if pick.random() < 0.85 else None
        start = pick.randint(-500, 200)
        due = start + pick.randint(10, 400)
        source = pick.choice(sources) if pick.random() < 0.6 else None
        action = plan_rules.create_action(
            self.secretariat,
            plan_rules.ActionValues(
                objective_id=pick.choice(objectives).id,
                title=self.sentence(4, 10)[:200],
                owner="secretariat" if owner_member is None else str(owner_member.id),
                starts_on=self.today + timedelta(days=start),
                due_on=self.today + timedelta(days=due),
                description=self.sentence(10, 30),
                responsible_user_id=None
                if owner_member is None
                else self.directors[owner_member.id].id,
                estimated_cost=Decimal(pick.randint(1, 400) * 1000)
                if pick.random() < 0.7
                else None,
                funding_source_id=source.id if source else None,
            ),
        )
        action.created_at = self.now + timedelta(days=min(start, 0) - 7)
        author = self.secretariat if owner_member is None else self.directors[owner_member.id]
        updates = pick.randint(0, self.size.updates * 2) if start < 0 else 0
        progress = 0
        for number in range(updates):
            progress = min(100, progress + pick.randint(5, 40))
            status = ActionStatus.DONE if progress == 100 else ActionStatus.IN_PROGRESS
            reason = ""
            if status is ActionStatus.IN_PROGRESS and pick.random() < 0.08:
                status, reason = ActionStatus.BLOCKED, self.sentence(5, 10)
            update = plan_rules.post_update(
                author,
                action,
                action.version,
                text=self.sentence(8, 25),
                progress=progress,
                status=status,
                status_reason=reason,
            )
            update.created_at = self.now + timedelta(
                days=min(-1, start + (number + 1) * max(1, -start // (updates + 1)))
            )
            if status is ActionStatus.DONE:
                break
        if action.status is not ActionStatus.DONE and pick.random() < 0.02:
            plan_rules.post_update(
                self.secretariat,
                action,
                action.version,
                text=self.sentence(),
                progress=action.progress,
                status=ActionStatus.CANCELLED,
                status_reason=self.sentence(),
            )
        self.tick(1 + updates)

    # --- what was made ------------------------------------------------------------------------

    def counts(self) -> dict:
        from planner.meetings.models import AgendaItem
        from planner.plan.models import ActionItem, ProgressUpdate
        from planner.proposals.models import Decision, RoundElector

        def count(model) -> int:
            return db.session.scalar(select(func.count()).select_from(model)) or 0

        return {
            "members": count(Member),
            "users": count(User),
            "meetings": count(Meeting),
            "agenda_items": count(AgendaItem),
            "proposals": count(Proposal),
            "rounds": count(Round),
            "round_electors": count(RoundElector),
            "ballots": count(Ballot),
            "decisions": count(Decision),
            "axes": count(StrategicAxis),
            "actions": count(ActionItem),
            "progress_updates": count(ProgressUpdate),
        }


def generate(size_name: str, seed: int = 2016, log=print) -> dict:
    """Fill an empty database with the named data set; returns what it holds and the timings."""
    size = SIZES[size_name]
    generator = Generator(size, seed, log)
    started = time.perf_counter()
    counts = generator.run()
    return {
        "size": size_name,
        "seed": seed,
        "counts": counts,
        "timings": generator.timings,
        "seconds": round(time.perf_counter() - started, 1),
        "minutes_meeting_id": generator.minutes_meeting_id,
    }


def founding_meeting_id() -> int | None:
    return db.session.scalar(select(Meeting.id).where(Meeting.title == FOUNDING_TITLE))


__all__ = [
    "SIZES",
    "Size",
    "generate",
    "founding_meeting_id",
    "DEMO_PASSWORD",
    "MeetingStatus",
    "RoundStatus",
]
