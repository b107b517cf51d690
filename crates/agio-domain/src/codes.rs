//! Closed sets of codes (statuses, kinds). Each parses from and prints to its code.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A code that was not one of the allowed values; carries the allowed list for the error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not one of: {}", allowed.join(", "))]
pub struct UnknownCode {
    pub value: String,
    pub allowed: &'static [&'static str],
}

/// Declares an enum whose variants map one-to-one to snake_case codes.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        // Serialized in snake_case, which must be the code (a test checks every enum).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const CODES: &'static [&'static str] = &[$($code),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Key of the label in the i18n catalogue, e.g. `agenda_status.approved`.
            pub fn label_key(self) -> String {
                format!("{}.{}", Self::KEY_PREFIX, self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { value: s.to_string(), allowed: Self::CODES }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum!(
    /// Region, district (distretto socio-sanitario), union of comuni, comune.
    TerritoryKind { Region = "region", District = "district", Union = "union", Comune = "comune" }
);
code_enum!(
    /// Life cycle of an Agenda: bozza, in consultazione, approvata, archiviata.
    AgendaStatus { Draft = "draft", Consultation = "consultation", Approved = "approved", Archived = "archived" }
);
code_enum!(
    /// Life cycle of an Action.
    ActionStatus {
        Proposed = "proposed", Planned = "planned", InProgress = "in_progress",
        Completed = "completed", Suspended = "suspended", Cancelled = "cancelled",
    }
);
code_enum!(
    /// Short or medium term action.
    ActionTerm { Short = "short", Medium = "medium" }
);
code_enum!(
    /// Role of an organisation in an action.
    PartnerRole { Lead = "lead", Partner = "partner" }
);
code_enum!(
    /// Level of an expected result.
    ResultKind { Output = "output", Outcome = "outcome", Impact = "impact" }
);
code_enum!(
    /// Whether a higher or a lower indicator value is better.
    Direction { Increase = "increase", Decrease = "decrease" }
);
code_enum!(
    /// Kind of digital asset: rete, datacenter, piattaforma di servizio, base dati.
    AssetKind { Network = "network", Datacenter = "datacenter", ServicePlatform = "service_platform", Database = "database" }
);
code_enum!(
    /// Availability of a digital asset.
    AssetStatus { Active = "active", InDevelopment = "in_development", Planned = "planned", Retired = "retired" }
);
code_enum!(
    /// Controlled vocabularies that are data (table `vocabulary_terms`).
    Vocabulary {
        TargetGroup = "target_group", LifeStage = "life_stage", Theme = "theme",
        FundingSource = "funding_source", OrganizationType = "organization_type", Need = "need",
    }
);
code_enum!(
    /// What a person may do: amministratore regionale, coordinatore di agenda, referente di
    /// soggetto, cittadino.
    Role { Admin = "admin", Coordinator = "coordinator", Referent = "referent", Citizen = "citizen" }
);
code_enum!(
    /// Through which door a write came in (recorded in the audit log).
    Channel { Form = "form", Api = "api", Cli = "cli", Import = "import" }
);
code_enum!(
    /// What a personal access token may do: read (drafts included, for its owner) or also write.
    TokenScope { Read = "read", Write = "write" }
);
code_enum!(
    /// What an audit record is about (the log is searched by it).
    EntityKind {
        Agenda = "agenda", Objective = "objective", Action = "action", Indicator = "indicator", Organization = "organization",
        Person = "person", Invitation = "invitation", Asset = "asset", Territory = "territory",
        Service = "service", Profile = "profile",
    }
);
code_enum!(
    /// A territory's digital-welfare profile: its coordinators' draft, or published for all.
    ProfileStatus { Draft = "draft", Published = "published" }
);
code_enum!(
    /// Where an intervention sheet of a Piano di Zona stands.
    SheetStatus { Planned = "planned", InProgress = "in_progress", Completed = "completed", Suspended = "suspended" }
);
code_enum!(
    /// How others can reach an essential database.
    DatabaseAccess { Api = "api", Pdnd = "pdnd", OpenData = "open_data", FileExchange = "file_exchange", None = "none" }
);
code_enum!(
    /// How a service is reached.
    ServiceChannel { InPerson = "in_person", Phone = "phone", Email = "email", Web = "web", AppIo = "app_io" }
);
code_enum!(
    /// The national digital platforms a service can use.
    NationalPlatform { Spid = "spid", Cie = "cie", Pagopa = "pagopa", AppIo = "app_io", Pdnd = "pdnd", Anpr = "anpr" }
);

code_enum!(
    /// The phases of a Community Lab, in the order of the regional method.
    PhaseKind {
        Information = "information", Ideas = "ideas", WorkingDay = "working_day",
        Prioritisation = "prioritisation", Feedback = "feedback", Pacts = "pacts",
    }
);
code_enum!(
    /// How a Community Lab's prioritisation vote is cast: approve any number of ideas, or
    /// distribute a number of points among them.
    VoteMethod { Approval = "approval", Points = "points" }
);
code_enum!(
    /// Whether an idea (or a comment) shows: published, withdrawn by its author, hidden by a moderator.
    IdeaState { Published = "published", Withdrawn = "withdrawn", Hidden = "hidden" }
);
code_enum!(
    /// A meeting of a Community Lab: an open meeting, the working day, or a negotiation table
    /// with named members whose decisions are recorded.
    MeetingKind { Meeting = "meeting", WorkingDay = "working_day", NegotiationTable = "negotiation_table" }
);
code_enum!(
    /// Where a person stands for a meeting: a seat, or the waiting list.
    Seat { Registered = "registered", Waiting = "waiting" }
);
code_enum!(
    /// Where a collaboration pact stands: proposed, signed by its parties, concluded.
    PactStatus { Proposed = "proposed", Signed = "signed", Concluded = "concluded" }
);
code_enum!(
    /// A request to take part in a process for an organisation: waiting for the coordinators,
    /// confirmed, or refused.
    RepresentationStatus { Pending = "pending", Confirmed = "confirmed", Refused = "refused" }
);
code_enum!(
    /// The e-mails the Community Lab sends, each of which a person can turn off.
    Notification {
        IdeaAnswered = "idea_answered", IdeaHidden = "idea_hidden", IdeaCommented = "idea_commented",
        MeetingChanged = "meeting_changed",
    }
);
code_enum!(
    /// The coordinators' answer to an idea.
    IdeaAnswer { Accepted = "accepted", Merged = "merged", Rejected = "rejected" }
);
code_enum!(
    /// How often an indicator is measured: each quarter, each semester or once a year.
    Frequency { Quarter = "quarter", Semester = "semester", Year = "year" }
);
code_enum!(
    /// Where a measurement stands: the referent's draft (bozza), sent for approval (inviata),
    /// approved by a coordinator (approvata: public, counted), or returned with a comment
    /// (restituita: back to the referent).
    MeasurementStatus { Draft = "draft", Submitted = "submitted", Approved = "approved", Returned = "returned" }
);
code_enum!(
    /// How an action is doing, from the rules in `monitoring::action_standing` or a
    /// coordinator's judgement.
    Standing { OnTrack = "on_track", AtRisk = "at_risk", Late = "late", Completed = "completed", NoData = "no_data" }
);
code_enum!(
    /// Where an action's milestone is: ahead (prevista), reached (raggiunta) or dropped (annullata).
    MilestoneStatus { Planned = "planned", Reached = "reached", Cancelled = "cancelled" }
);

macro_rules! key_prefix {
    ($($name:ident => $prefix:literal),+ $(,)?) => {
        $(impl $name { const KEY_PREFIX: &'static str = $prefix; })+
    };
}
key_prefix!(
    TerritoryKind => "territory_kind", AgendaStatus => "agenda_status", ActionStatus => "action_status",
    ActionTerm => "action_term", PartnerRole => "partner_role", ResultKind => "result_kind",
    Direction => "direction", AssetKind => "asset_kind", AssetStatus => "asset_status",
    Vocabulary => "vocabulary", Role => "role", Channel => "channel",
    TokenScope => "token_scope", EntityKind => "audit.entity", ProfileStatus => "profile_status",
    ServiceChannel => "service_channel", NationalPlatform => "platform", SheetStatus => "sheet_status", DatabaseAccess => "database_access",
    PhaseKind => "lab_phase", VoteMethod => "vote_method", IdeaState => "idea_state", IdeaAnswer => "idea_answer",
    MeetingKind => "meeting_kind", Seat => "seat", PactStatus => "pact_status", Notification => "notification",
    RepresentationStatus => "representation_status", Frequency => "frequency",
    MeasurementStatus => "measurement_status", Standing => "standing", MilestoneStatus => "milestone_status",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in ActionStatus::ALL {
            assert_eq!(s.code().parse::<ActionStatus>().unwrap(), *s);
        }
        assert_eq!(AgendaStatus::Approved.label_key(), "agenda_status.approved");
    }

    /// JSON (serde, and the OpenAPI document that utoipa reads from it) and the database agree.
    #[test]
    fn every_code_is_its_json_form() {
        fn check<T: Serialize + Copy>(all: &[T], code: impl Fn(T) -> &'static str) {
            for v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(code(*v)));
            }
        }
        check(TerritoryKind::ALL, TerritoryKind::code);
        check(AgendaStatus::ALL, AgendaStatus::code);
        check(ActionStatus::ALL, ActionStatus::code);
        check(ActionTerm::ALL, ActionTerm::code);
        check(PartnerRole::ALL, PartnerRole::code);
        check(ResultKind::ALL, ResultKind::code);
        check(Direction::ALL, Direction::code);
        check(AssetKind::ALL, AssetKind::code);
        check(AssetStatus::ALL, AssetStatus::code);
        check(Vocabulary::ALL, Vocabulary::code);
        check(Role::ALL, Role::code);
        check(Channel::ALL, Channel::code);
        check(TokenScope::ALL, TokenScope::code);
        check(EntityKind::ALL, EntityKind::code);
        check(ProfileStatus::ALL, ProfileStatus::code);
        check(SheetStatus::ALL, SheetStatus::code);
        check(DatabaseAccess::ALL, DatabaseAccess::code);
        check(ServiceChannel::ALL, ServiceChannel::code);
        check(NationalPlatform::ALL, NationalPlatform::code);
        check(PhaseKind::ALL, PhaseKind::code);
        check(VoteMethod::ALL, VoteMethod::code);
        check(IdeaState::ALL, IdeaState::code);
        check(IdeaAnswer::ALL, IdeaAnswer::code);
        check(MeetingKind::ALL, MeetingKind::code);
        check(Seat::ALL, Seat::code);
        check(PactStatus::ALL, PactStatus::code);
        check(Notification::ALL, Notification::code);
        check(RepresentationStatus::ALL, RepresentationStatus::code);
        check(Frequency::ALL, Frequency::code);
        check(MeasurementStatus::ALL, MeasurementStatus::code);
        check(Standing::ALL, Standing::code);
        check(MilestoneStatus::ALL, MilestoneStatus::code);
    }

    #[test]
    fn unknown_code_lists_allowed_values() {
        let err = "ok".parse::<AgendaStatus>().unwrap_err();
        assert_eq!(err.to_string(), "'ok' is not one of: draft, consultation, approved, archived");
    }
}
