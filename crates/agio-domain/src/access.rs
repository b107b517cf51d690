//! Who may do what, and where: the one place where authorisation is decided.
//!
//! Handlers describe the request as an [`Operation`] on a [`Target`] and ask [`decide`]; they
//! never test roles themselves. The answer distinguishes a refusal the person may know about
//! (403) from one where even the existence of the target must not leak (404: a draft agenda
//! seen from outside its circle).

use crate::Role;

/// Where a role applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Administrators and citizens: no particular place.
    Everywhere,
    /// A coordinator of one agenda (its id).
    Agenda(String),
    /// A coordinator of every agenda of one territory (its id), or of a territory inside it.
    Territory(String),
    /// A referent of one organisation (its id).
    Organization(String),
}

/// Whether a scope is the kind a role takes: administrators and citizens none, coordinators an
/// agenda or a territory, referents an organisation.
pub fn scope_fits(role: Role, scope: &Scope) -> bool {
    matches!(
        (role, scope),
        (Role::Admin | Role::Citizen, Scope::Everywhere)
            | (Role::Coordinator, Scope::Agenda(_) | Scope::Territory(_))
            | (Role::Referent, Scope::Organization(_))
    )
}

/// One role held by a person, with its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// A signed-in person and the roles they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub person_id: String,
    pub grants: Vec<Grant>,
}

/// What is being attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// See something not yet public (a draft agenda and what is inside it).
    ReadDraft,
    /// Read an entity's history (Cronologia): names who changed what.
    ReadHistory,
    Create,
    Edit,
    Archive,
    /// Move an agenda along its workflow.
    ChangeStatus,
    /// Edit the expected results and indicators of an action.
    EditResults,
    /// Search the whole audit log, read the outbox, manage people everywhere.
    Administer,
    /// Give or take a role (by invitation or directly) on the target.
    ManageRoles,
    /// Take part in an agenda's Community Lab: propose, support, comment, report.
    Participate,
    /// Hide what breaks the rules of an agenda's Community Lab, and read the reports.
    Moderate,
    /// Approve the measurements of an agenda's indicators, or return them with a comment.
    Review,
}

/// The facts about a territory's profile that decide who reads and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileFacts {
    /// The territory and every territory containing it (district → region).
    pub territory_path: Vec<String>,
    /// The agendas of the territory: their coordinators are its planning office.
    pub agenda_ids: Vec<String>,
    /// Published profiles are public; drafts are not.
    pub public: bool,
}

/// The facts about an agenda that decide who may act on it and on what it contains.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgendaFacts {
    pub agenda_id: String,
    /// The agenda's territory and every territory containing it (comune → district → region).
    pub territory_path: Vec<String>,
    /// Approved or archived agendas, and agendas in consultation, are public; drafts are not.
    pub public: bool,
    /// Organisations leading at least one of its actions (their referents may see the draft).
    pub lead_organizations: Vec<String>,
}

/// What an operation applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// The region as a whole: new organisations and assets, unions, the audit log, people.
    Region,
    /// A territory (its path, itself first): a new agenda for it.
    Territory(&'a [String]),
    /// An agenda, its objectives, a new action in it.
    Agenda(&'a AgendaFacts),
    /// One action of an agenda, with the organisation leading it.
    Action(&'a AgendaFacts, Option<&'a str>),
    /// One organisation (its id).
    Organization(&'a str),
    /// A digital asset.
    Asset,
    /// An organisation (its id) as seen from an agenda's circle: its referents' roles.
    Partner(&'a AgendaFacts, &'a str),
    /// Services of the directory, by the AGIO organisation that provides them (None: one
    /// AGIO does not know, whose services only administrators manage).
    Services(Option<&'a str>),
    /// A territory's digital-welfare profile.
    Profile(&'a ProfileFacts),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// 403: the person may know the target exists, but may not do this.
    Forbidden,
    /// 404: the target is not visible to this person at all.
    Hidden,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// Whether some territory is theirs to plan for (to offer the "new agenda" form; which
    /// territories it offers is decided per territory by [`decide`]).
    pub fn plans_a_territory(&self) -> bool {
        self.is_admin()
            || self.grants.iter().any(|g| g.role == Role::Coordinator && matches!(g.scope, Scope::Territory(_)))
    }

    /// Coordinates this agenda, directly or through its territory.
    fn coordinates(&self, agenda: &AgendaFacts) -> bool {
        self.grants.iter().any(|g| {
            g.role == Role::Coordinator
                && match &g.scope {
                    Scope::Agenda(id) => *id == agenda.agenda_id,
                    Scope::Territory(id) => agenda.territory_path.contains(id),
                    _ => false,
                }
        })
    }

    /// Plans for the profile's territory: coordinates it (or a territory containing it), or
    /// one of its agendas.
    fn plans(&self, profile: &ProfileFacts) -> bool {
        self.grants.iter().any(|g| {
            g.role == Role::Coordinator
                && match &g.scope {
                    Scope::Agenda(id) => profile.agenda_ids.contains(id),
                    Scope::Territory(id) => profile.territory_path.contains(id),
                    _ => false,
                }
        })
    }

    /// Is a referent of this organisation.
    fn represents(&self, organization_id: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::Referent && matches!(&g.scope, Scope::Organization(id) if id == organization_id))
    }

    fn can_see(&self, agenda: &AgendaFacts) -> bool {
        agenda.public
            || self.is_admin()
            || self.coordinates(agenda)
            || agenda.lead_organizations.iter().any(|o| self.represents(o))
    }
}

/// The one authorisation decision. `None` is an anonymous visitor.
pub fn decide(who: Option<&Principal>, operation: Operation, target: &Target) -> Decision {
    let visible = |agenda: &AgendaFacts| agenda.public || who.is_some_and(|p| p.can_see(agenda));
    let allow = |yes: bool| if yes { Decision::Allow } else { Decision::Forbidden };
    let agenda = match target {
        Target::Agenda(a) | Target::Action(a, _) | Target::Partner(a, _) => Some(*a),
        _ => None,
    };
    if let Some(agenda) = agenda {
        if !visible(agenda) {
            return Decision::Hidden;
        }
    }
    if let Target::Profile(profile) = target {
        if !profile.public && !who.is_some_and(|p| p.is_admin() || p.plans(profile)) {
            return Decision::Hidden;
        }
    }
    let Some(p) = who else {
        let public = agenda.map(|a| a.public).or(match target {
            Target::Profile(profile) => Some(profile.public),
            _ => None,
        });
        return allow(operation == Operation::ReadDraft && public == Some(true));
    };
    if p.is_admin() {
        return Decision::Allow;
    }
    use Operation::*;
    match (operation, target) {
        (Administer, _) => Decision::Forbidden,
        (ReadDraft, Target::Agenda(a) | Target::Action(a, _)) => allow(p.can_see(a)),
        (ReadDraft, Target::Profile(profile)) => allow(profile.public || p.plans(profile)),
        (Create | Edit | ChangeStatus | ReadHistory, Target::Profile(profile)) => allow(p.plans(profile)),
        (ReadDraft, _) => Decision::Allow,
        (Create, Target::Territory(path)) => allow(
            p.grants
                .iter()
                .any(|g| g.role == Role::Coordinator && matches!(&g.scope, Scope::Territory(id) if path.contains(id))),
        ),
        (Create | Edit | ChangeStatus | ReadHistory, Target::Agenda(a)) => allow(p.coordinates(a)),
        (Edit | EditResults | ReadHistory, Target::Action(a, lead)) => {
            allow(p.coordinates(a) || lead.is_some_and(|o| p.represents(o)))
        }
        (Archive, Target::Action(a, _) | Target::Agenda(a)) => allow(p.coordinates(a)),
        // Referents enter and send their actions' measurements (EditResults); coordinators
        // approve or return them.
        (Review, Target::Action(a, _) | Target::Agenda(a)) => allow(p.coordinates(a)),
        // Anyone signed in takes part in a public agenda's Community Lab; its coordinators moderate.
        (Participate, Target::Agenda(a)) => allow(a.public),
        (Moderate, Target::Agenda(a)) => allow(p.coordinates(a)),
        // Coordinators bring in fellow coordinators, and referents of the organisations leading
        // actions of their agenda.
        (ManageRoles, Target::Agenda(a)) => allow(p.coordinates(a)),
        (ManageRoles, Target::Partner(a, org)) => {
            allow(p.coordinates(a) && a.lead_organizations.iter().any(|o| o == org))
        }
        (Edit | ReadHistory, Target::Organization(id)) => allow(p.represents(id)),
        // Referents publish and keep up to date the services their organisation provides.
        (Create | Edit | ReadHistory, Target::Services(owner)) => allow(owner.is_some_and(|o| p.represents(o))),
        // Coordinators bring new partners and document the assets their actions use.
        (Create, Target::Organization(_)) | (Create | Edit | ReadHistory, Target::Asset) => {
            allow(p.has_role(Role::Coordinator))
        }
        _ => Decision::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(grants: &[(Role, Scope)]) -> Principal {
        Principal {
            person_id: "p".into(),
            grants: grants.iter().map(|(role, scope)| Grant { role: *role, scope: scope.clone() }).collect(),
        }
    }

    fn agenda(public: bool) -> AgendaFacts {
        AgendaFacts {
            agenda_id: "ag".into(),
            territory_path: vec!["district".into(), "region".into()],
            public,
            lead_organizations: vec!["org-a".into()],
        }
    }

    #[test]
    fn a_profile_is_written_by_its_territory_s_planners_and_its_draft_seen_only_by_them() {
        let draft = ProfileFacts {
            territory_path: vec!["district".into(), "region".into()],
            agenda_ids: vec!["ag".into()],
            public: false,
        };
        let published = ProfileFacts { public: true, ..draft.clone() };
        let by_agenda = person(&[(Role::Coordinator, Scope::Agenda("ag".into()))]);
        let by_district = person(&[(Role::Coordinator, Scope::Territory("district".into()))]);
        let elsewhere = person(&[(Role::Coordinator, Scope::Territory("other".into()))]);
        let referent = person(&[(Role::Referent, Scope::Organization("org-a".into()))]);
        let admin = person(&[(Role::Admin, Scope::Everywhere)]);
        for planner in [&by_agenda, &by_district, &admin] {
            for op in [Operation::ReadDraft, Operation::Edit, Operation::ChangeStatus, Operation::ReadHistory] {
                assert_eq!(decide(Some(planner), op, &Target::Profile(&draft)), Decision::Allow, "{op:?}");
            }
        }
        for outsider in [None, Some(&elsewhere), Some(&referent)] {
            assert_eq!(decide(outsider, Operation::ReadDraft, &Target::Profile(&draft)), Decision::Hidden);
            assert_eq!(decide(outsider, Operation::ReadDraft, &Target::Profile(&published)), Decision::Allow);
        }
        for outsider in [&elsewhere, &referent] {
            assert_eq!(decide(Some(outsider), Operation::Edit, &Target::Profile(&published)), Decision::Forbidden);
        }
        assert_eq!(decide(None, Operation::Edit, &Target::Profile(&published)), Decision::Forbidden);
    }

    #[test]
    fn anyone_signed_in_takes_part_in_a_public_lab_and_its_coordinators_moderate() {
        let (public, draft) = (agenda(true), agenda(false));
        let citizen = person(&[(Role::Citizen, Scope::Everywhere)]);
        let nobody_in_particular = person(&[]);
        let coordinator = person(&[(Role::Coordinator, Scope::Agenda("ag".into()))]);
        for who in [&citizen, &nobody_in_particular, &coordinator] {
            assert_eq!(decide(Some(who), Operation::Participate, &Target::Agenda(&public)), Decision::Allow);
        }
        assert_eq!(decide(None, Operation::Participate, &Target::Agenda(&public)), Decision::Forbidden);
        assert_eq!(decide(Some(&citizen), Operation::Participate, &Target::Agenda(&draft)), Decision::Hidden);
        assert_eq!(decide(Some(&coordinator), Operation::Moderate, &Target::Agenda(&public)), Decision::Allow);
        assert_eq!(decide(Some(&citizen), Operation::Moderate, &Target::Agenda(&public)), Decision::Forbidden);
    }

    #[test]
    fn a_draft_is_hidden_from_outsiders_and_seen_by_its_circle() {
        let draft = agenda(false);
        let target = Target::Agenda(&draft);
        let outsider = person(&[(Role::Coordinator, Scope::Agenda("other".into()))]);
        assert_eq!(decide(None, Operation::ReadDraft, &target), Decision::Hidden);
        assert_eq!(decide(Some(&outsider), Operation::Edit, &target), Decision::Hidden);
        let lead_referent = person(&[(Role::Referent, Scope::Organization("org-a".into()))]);
        assert_eq!(decide(Some(&lead_referent), Operation::ReadDraft, &target), Decision::Allow);
        assert_eq!(decide(Some(&lead_referent), Operation::Edit, &target), Decision::Forbidden);
    }

    #[test]
    fn territory_coordinators_reach_the_agendas_inside() {
        let a = agenda(true);
        let by_district = person(&[(Role::Coordinator, Scope::Territory("district".into()))]);
        let elsewhere = person(&[(Role::Coordinator, Scope::Territory("other-district".into()))]);
        for op in [Operation::Edit, Operation::ChangeStatus, Operation::Create] {
            assert_eq!(decide(Some(&by_district), op, &Target::Agenda(&a)), Decision::Allow, "{op:?}");
            assert_eq!(decide(Some(&elsewhere), op, &Target::Agenda(&a)), Decision::Forbidden, "{op:?}");
        }
        let path = vec!["district".to_string(), "region".to_string()];
        assert_eq!(decide(Some(&by_district), Operation::Create, &Target::Territory(&path)), Decision::Allow);
        assert_eq!(decide(Some(&elsewhere), Operation::Create, &Target::Territory(&path)), Decision::Forbidden);
    }

    #[test]
    fn referents_edit_only_what_their_organisation_leads() {
        let a = agenda(true);
        let referent = person(&[(Role::Referent, Scope::Organization("org-a".into()))]);
        let own = Target::Action(&a, Some("org-a"));
        let other = Target::Action(&a, Some("org-b"));
        assert_eq!(decide(Some(&referent), Operation::EditResults, &own), Decision::Allow);
        assert_eq!(decide(Some(&referent), Operation::Edit, &own), Decision::Allow);
        assert_eq!(decide(Some(&referent), Operation::EditResults, &other), Decision::Forbidden);
        assert_eq!(decide(Some(&referent), Operation::Archive, &own), Decision::Forbidden);
        assert_eq!(decide(Some(&referent), Operation::Review, &own), Decision::Forbidden);
        let coordinator = person(&[(Role::Coordinator, Scope::Agenda("ag".into()))]);
        assert_eq!(decide(Some(&coordinator), Operation::Review, &other), Decision::Allow);
        assert_eq!(decide(Some(&referent), Operation::Edit, &Target::Organization("org-a")), Decision::Allow);
        assert_eq!(decide(Some(&referent), Operation::Edit, &Target::Organization("org-b")), Decision::Forbidden);
        for op in [Operation::Create, Operation::Edit, Operation::ReadHistory] {
            assert_eq!(decide(Some(&referent), op, &Target::Services(Some("org-a"))), Decision::Allow, "{op:?}");
            assert_eq!(decide(Some(&referent), op, &Target::Services(Some("org-b"))), Decision::Forbidden, "{op:?}");
            assert_eq!(decide(Some(&referent), op, &Target::Services(None)), Decision::Forbidden, "{op:?}");
        }
        assert_eq!(decide(Some(&referent), Operation::Archive, &Target::Services(Some("org-a"))), Decision::Forbidden);
    }

    #[test]
    fn coordinators_manage_the_roles_of_their_circle_only() {
        let a = agenda(true);
        let coordinator = person(&[(Role::Coordinator, Scope::Agenda("ag".into()))]);
        let referent = person(&[(Role::Referent, Scope::Organization("org-a".into()))]);
        let op = Operation::ManageRoles;
        assert_eq!(decide(Some(&coordinator), op, &Target::Agenda(&a)), Decision::Allow);
        assert_eq!(decide(Some(&coordinator), op, &Target::Partner(&a, "org-a")), Decision::Allow);
        assert_eq!(decide(Some(&coordinator), op, &Target::Partner(&a, "org-z")), Decision::Forbidden);
        assert_eq!(decide(Some(&coordinator), op, &Target::Region), Decision::Forbidden);
        assert_eq!(decide(Some(&referent), op, &Target::Partner(&a, "org-a")), Decision::Forbidden);
    }

    #[test]
    fn citizens_and_visitors_write_nothing_and_administrators_everything() {
        let a = agenda(true);
        let citizen = person(&[(Role::Citizen, Scope::Everywhere)]);
        let admin = person(&[(Role::Admin, Scope::Everywhere)]);
        let targets = [
            Target::Region,
            Target::Agenda(&a),
            Target::Action(&a, Some("org-a")),
            Target::Asset,
            Target::Services(Some("org-a")),
        ];
        let writes = [Operation::Create, Operation::Edit, Operation::Archive, Operation::EditResults];
        for target in &targets {
            for op in writes {
                assert_eq!(decide(None, op, target), Decision::Forbidden, "{op:?} {target:?}");
                assert_eq!(decide(Some(&citizen), op, target), Decision::Forbidden, "{op:?} {target:?}");
                assert_eq!(decide(Some(&admin), op, target), Decision::Allow, "{op:?} {target:?}");
            }
        }
        assert_eq!(decide(Some(&admin), Operation::Edit, &Target::Agenda(&agenda(false))), Decision::Allow);
    }
}
