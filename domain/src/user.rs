//! The `User` aggregate: a person or API client with a role (and, for coordinators, areas). Users are
//! event-sourced so auditors see who created, scoped, deactivated or re-keyed whom, and when.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{ErrorKind, ValueError};
use crate::values::{AreaId, CategoryCode};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reference data (areas, categories) and users; everything staff may do.
    Admin,
    /// Everything on issues and forums, in all areas.
    Staff,
    /// Raise and act on issues and record forums, in their own areas only.
    Coordinator,
    /// Reads everything, writes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Staff, Role::Coordinator, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Coordinator => "coordinator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login name: 1–64 letters, digits, '.', '_' or '-'.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserName(String);

impl UserName {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = (1..=64).contains(&raw.chars().count())
            && raw.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok { Ok(UserName(raw.to_owned())) } else { Err(ValueError::BadUserName) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum UserCommand {
    /// Create the user with its first API token (its SHA-256): one command, so a user never exists without
    /// a way in, and a retried creation is one command to recognise. The areas were checked to exist; only
    /// coordinators have areas.
    Create { name: UserName, role: Role, areas: Vec<AreaId>, token_sha256: String },
    /// Replace a coordinator's areas (the areas were checked to exist).
    SetAreas { areas: Vec<AreaId> },
    /// Issue a new API token (its SHA-256); earlier tokens stop working.
    IssueToken { token_sha256: String },
    /// Record that the user's web password was set or changed. The hash itself is kept outside the event
    /// log (a secret, not history; an append-only log could never forget it), so the event has no data.
    SetPassword,
    /// Switch the user off: every token stops working.
    Deactivate,
    /// Replace the restricted categories whose cases the user may read (staff and auditors only; the
    /// categories were checked to exist).
    GrantRestrictedCategories { categories: Vec<CategoryCode> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum UserEvent {
    UserCreated {
        name: UserName,
        role: Role,
        areas: Vec<AreaId>,
    },
    UserAreasChanged {
        areas: Vec<AreaId>,
    },
    /// Only the hash is stored: the token itself is shown once to the person and never kept.
    TokenIssued {
        token_sha256: String,
    },
    UserDeactivated {},
    /// Who set a password and when is in the metadata and the recorded time; the hash is not here.
    PasswordSet {},
    /// The restricted categories whose cases the user may read from now on (the whole set, replacing the
    /// one before; empty: none).
    RestrictedCategoriesGranted {
        categories: Vec<CategoryCode>,
    },
}

impl DomainEvent for UserEvent {
    fn event_type(&self) -> String {
        match self {
            UserEvent::UserCreated { .. } => "UserCreated",
            UserEvent::UserAreasChanged { .. } => "UserAreasChanged",
            UserEvent::TokenIssued { .. } => "TokenIssued",
            UserEvent::UserDeactivated { .. } => "UserDeactivated",
            UserEvent::PasswordSet { .. } => "PasswordSet",
            UserEvent::RestrictedCategoriesGranted { .. } => "RestrictedCategoriesGranted",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("a user with this name already exists")]
    AlreadyExists,
    #[error("no such user")]
    NotFound,
    #[error("the user is deactivated")]
    Deactivated,
    #[error("a coordinator needs at least one area")]
    CoordinatorWithoutArea,
    #[error("only coordinators are limited to areas; {0} sees every area")]
    AreasForOtherRole(Role),
    /// Grants are for staff and auditors: an admin sees every case already, a coordinator sees the
    /// restricted cases they raised.
    #[error("restricted categories are granted to staff and auditors only, not to the {0} role")]
    GrantForOtherRole(Role),
}

impl UserError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            UserError::NotFound => ErrorKind::NotFound,
            UserError::AlreadyExists | UserError::Deactivated => ErrorKind::Conflict,
            UserError::CoordinatorWithoutArea | UserError::AreasForOtherRole(_) | UserError::GrantForOtherRole(_) => {
                ErrorKind::Invalid
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            UserError::AlreadyExists => "user_exists",
            UserError::NotFound => "user_not_found",
            UserError::Deactivated => "user_deactivated",
            UserError::CoordinatorWithoutArea => "coordinator_without_area",
            UserError::AreasForOtherRole(_) => "areas_for_other_role",
            UserError::GrantForOtherRole(_) => "grant_for_other_role",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    created: bool,
    active: bool,
    role: Option<Role>,
}

impl User {
    pub fn decide(&self, command: UserCommand) -> Result<Vec<UserEvent>, UserError> {
        match command {
            UserCommand::Create { name, role, areas, token_sha256 } => {
                if self.created {
                    return Err(UserError::AlreadyExists);
                }
                check_areas(role, &areas)?;
                Ok(vec![UserEvent::UserCreated { name, role, areas }, UserEvent::TokenIssued { token_sha256 }])
            }
            UserCommand::SetAreas { areas } => {
                self.existing_and_active()?;
                check_areas(self.role.unwrap_or(Role::Staff), &areas)?;
                Ok(vec![UserEvent::UserAreasChanged { areas }])
            }
            UserCommand::IssueToken { token_sha256 } => {
                self.existing_and_active()?;
                Ok(vec![UserEvent::TokenIssued { token_sha256 }])
            }
            UserCommand::SetPassword => {
                self.existing_and_active()?;
                Ok(vec![UserEvent::PasswordSet {}])
            }
            UserCommand::Deactivate => {
                self.existing_and_active()?;
                Ok(vec![UserEvent::UserDeactivated {}])
            }
            UserCommand::GrantRestrictedCategories { categories } => {
                self.existing_and_active()?;
                check_grant(self.role.unwrap_or(Role::Staff))?;
                Ok(vec![UserEvent::RestrictedCategoriesGranted { categories }])
            }
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.role
    }

    fn existing_and_active(&self) -> Result<(), UserError> {
        match (self.created, self.active) {
            (false, _) => Err(UserError::NotFound),
            (true, false) => Err(UserError::Deactivated),
            (true, true) => Ok(()),
        }
    }
}

/// Coordinators work in one or more areas; every other role sees all areas and has none.
/// The one rule tying a role to areas: a coordinator has at least one, every other role none. Public so a
/// form can report it beside its field together with every other error, before anything is decided.
pub fn check_areas(role: Role, areas: &[AreaId]) -> Result<(), UserError> {
    match (role, areas.is_empty()) {
        (Role::Coordinator, true) => Err(UserError::CoordinatorWithoutArea),
        (Role::Admin | Role::Staff | Role::Auditor, false) => Err(UserError::AreasForOtherRole(role)),
        _ => Ok(()),
    }
}

/// Who may be granted restricted categories: staff and auditors. Public so a form can report it beside its
/// field before anything is decided.
pub fn check_grant(role: Role) -> Result<(), UserError> {
    match role {
        Role::Staff | Role::Auditor => Ok(()),
        Role::Admin | Role::Coordinator => Err(UserError::GrantForOtherRole(role)),
    }
}

impl Aggregate for User {
    const TYPE: &'static str = "User";
    type Command = UserCommand;
    type Event = UserEvent;
    type Error = UserError;
    type Services = ();

    async fn handle(&mut self, command: UserCommand, _: &(), sink: &EventSink<Self>) -> Result<(), UserError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: UserEvent) {
        match event {
            UserEvent::UserCreated { role, .. } => {
                self.created = true;
                self.active = true;
                self.role = Some(role);
            }
            UserEvent::UserAreasChanged { .. } => {}
            UserEvent::TokenIssued { .. } => {}
            UserEvent::UserDeactivated {} => self.active = false,
            UserEvent::PasswordSet {} => {}
            UserEvent::RestrictedCategoriesGranted { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn name() -> UserName {
        UserName::parse("somchai").unwrap()
    }

    fn created(role: Role, areas: &[&str]) -> UserEvent {
        UserEvent::UserCreated { name: name(), role, areas: areas.iter().map(|a| AreaId::parse(a).unwrap()).collect() }
    }

    fn create(role: Role, areas: &[&str]) -> UserCommand {
        UserCommand::Create {
            name: name(),
            role,
            areas: areas.iter().map(|a| AreaId::parse(a).unwrap()).collect(),
            token_sha256: "cd".repeat(32),
        }
    }

    #[test]
    fn creating_a_coordinator_with_areas_records_them() {
        TestFramework::<User>::with(())
            .given_no_previous_events()
            .when(create(Role::Coordinator, &["PTN-01", "PTN-02"]))
            .then_expect_events(vec![
                created(Role::Coordinator, &["PTN-01", "PTN-02"]),
                UserEvent::TokenIssued { token_sha256: "cd".repeat(32) },
            ]);
    }

    #[test]
    fn a_coordinator_without_areas_is_rejected() {
        TestFramework::<User>::with(())
            .given_no_previous_events()
            .when(create(Role::Coordinator, &[]))
            .then_expect_error(UserError::CoordinatorWithoutArea);
    }

    #[test]
    fn areas_for_a_role_that_sees_everything_are_rejected() {
        TestFramework::<User>::with(())
            .given_no_previous_events()
            .when(create(Role::Staff, &["PTN-01"]))
            .then_expect_error(UserError::AreasForOtherRole(Role::Staff));
    }

    #[test]
    fn creating_a_user_twice_is_rejected() {
        TestFramework::<User>::with(())
            .given(vec![created(Role::Staff, &[])])
            .when(create(Role::Staff, &[]))
            .then_expect_error(UserError::AlreadyExists);
    }

    #[test]
    fn tokens_are_issued_to_active_users_only() {
        let issue = || UserCommand::IssueToken { token_sha256: "ab".repeat(32) };
        TestFramework::<User>::with(())
            .given(vec![created(Role::Staff, &[])])
            .when(issue())
            .then_expect_events(vec![UserEvent::TokenIssued { token_sha256: "ab".repeat(32) }]);
        TestFramework::<User>::with(())
            .given(vec![created(Role::Staff, &[]), UserEvent::UserDeactivated {}])
            .when(issue())
            .then_expect_error(UserError::Deactivated);
        TestFramework::<User>::with(()).given_no_previous_events().when(issue()).then_expect_error(UserError::NotFound);
    }

    #[test]
    fn a_coordinators_areas_can_be_replaced_but_not_emptied() {
        let areas = vec![AreaId::parse("YLA-02").unwrap()];
        TestFramework::<User>::with(())
            .given(vec![created(Role::Coordinator, &["PTN-01"])])
            .when(UserCommand::SetAreas { areas: areas.clone() })
            .then_expect_events(vec![UserEvent::UserAreasChanged { areas }]);
        TestFramework::<User>::with(())
            .given(vec![created(Role::Coordinator, &["PTN-01"])])
            .when(UserCommand::SetAreas { areas: vec![] })
            .then_expect_error(UserError::CoordinatorWithoutArea);
        TestFramework::<User>::with(())
            .given(vec![created(Role::Staff, &[])])
            .when(UserCommand::SetAreas { areas: vec![AreaId::parse("YLA-02").unwrap()] })
            .then_expect_error(UserError::AreasForOtherRole(Role::Staff));
    }

    #[test]
    fn a_password_is_set_for_active_users_only_and_the_event_carries_no_secret() {
        TestFramework::<User>::with(())
            .given(vec![created(Role::Staff, &[])])
            .when(UserCommand::SetPassword)
            .then_expect_events(vec![UserEvent::PasswordSet {}]);
        TestFramework::<User>::with(())
            .given(vec![created(Role::Staff, &[]), UserEvent::UserDeactivated {}])
            .when(UserCommand::SetPassword)
            .then_expect_error(UserError::Deactivated);
        TestFramework::<User>::with(())
            .given_no_previous_events()
            .when(UserCommand::SetPassword)
            .then_expect_error(UserError::NotFound);
    }

    #[test]
    fn deactivating_twice_is_rejected() {
        TestFramework::<User>::with(())
            .given(vec![created(Role::Auditor, &[])])
            .when(UserCommand::Deactivate)
            .then_expect_events(vec![UserEvent::UserDeactivated {}]);
        TestFramework::<User>::with(())
            .given(vec![created(Role::Auditor, &[]), UserEvent::UserDeactivated {}])
            .when(UserCommand::Deactivate)
            .then_expect_error(UserError::Deactivated);
    }

    #[test]
    fn restricted_categories_are_granted_to_staff_and_auditors_only() {
        let grant = || UserCommand::GrantRestrictedCategories { categories: vec![CategoryCode::parse("JUS").unwrap()] };
        let granted = UserEvent::RestrictedCategoriesGranted { categories: vec![CategoryCode::parse("JUS").unwrap()] };
        for role in [Role::Staff, Role::Auditor] {
            TestFramework::<User>::with(())
                .given(vec![created(role, &[])])
                .when(grant())
                .then_expect_events(vec![granted.clone()]);
        }
        TestFramework::<User>::with(())
            .given(vec![created(Role::Coordinator, &["PTN-01"])])
            .when(grant())
            .then_expect_error(UserError::GrantForOtherRole(Role::Coordinator));
        TestFramework::<User>::with(())
            .given(vec![created(Role::Admin, &[])])
            .when(grant())
            .then_expect_error(UserError::GrantForOtherRole(Role::Admin));
        TestFramework::<User>::with(())
            .given(vec![created(Role::Staff, &[]), UserEvent::UserDeactivated {}])
            .when(grant())
            .then_expect_error(UserError::Deactivated);
        TestFramework::<User>::with(()).given_no_previous_events().when(grant()).then_expect_error(UserError::NotFound);
    }

    #[test]
    fn a_grant_replaces_the_set_and_an_empty_one_takes_every_grant_away() {
        TestFramework::<User>::with(())
            .given(vec![
                created(Role::Staff, &[]),
                UserEvent::RestrictedCategoriesGranted { categories: vec![CategoryCode::parse("JUS").unwrap()] },
            ])
            .when(UserCommand::GrantRestrictedCategories { categories: vec![] })
            .then_expect_events(vec![UserEvent::RestrictedCategoriesGranted { categories: vec![] }]);
    }

    #[test]
    fn user_names_are_checked() {
        assert!(UserName::parse("somchai.k").is_ok());
        assert!(UserName::parse("สมชาย").is_ok(), "Thai letters are letters");
        for bad in ["", "has space", "a/b", &"x".repeat(65)] {
            assert_eq!(UserName::parse(bad), Err(ValueError::BadUserName), "{bad:?}");
        }
    }

    #[test]
    fn golden_json_user_events() {
        let cases = [
            (
                created(Role::Coordinator, &["PTN-01"]),
                json!({"UserCreated": {"name": "somchai", "role": "coordinator", "areas": ["PTN-01"]}}),
                "UserCreated",
            ),
            (
                UserEvent::UserAreasChanged { areas: vec![AreaId::parse("NWT-01").unwrap()] },
                json!({"UserAreasChanged": {"areas": ["NWT-01"]}}),
                "UserAreasChanged",
            ),
            (
                UserEvent::TokenIssued { token_sha256: "00".repeat(32) },
                json!({"TokenIssued": {"token_sha256": "00".repeat(32)}}),
                "TokenIssued",
            ),
            (UserEvent::UserDeactivated {}, json!({"UserDeactivated": {}}), "UserDeactivated"),
            (UserEvent::PasswordSet {}, json!({"PasswordSet": {}}), "PasswordSet"),
            (
                UserEvent::RestrictedCategoriesGranted {
                    categories: vec![CategoryCode::parse("JUS").unwrap(), CategoryCode::parse("SEC").unwrap()],
                },
                json!({"RestrictedCategoriesGranted": {"categories": ["JUS", "SEC"]}}),
                "RestrictedCategoriesGranted",
            ),
        ];
        for (event, stored, event_type) in cases {
            assert_eq!(event.event_type(), event_type);
            assert!(
                crate::versions::EVENT_TYPES.contains(&event_type),
                "{event_type} listed for the audit log's filter"
            );
            assert_eq!(serde_json::to_value(&event).unwrap(), stored);
            assert_eq!(serde_json::from_value::<UserEvent>(stored).unwrap(), event);
        }
    }
}
