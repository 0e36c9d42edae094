//! The caller of a management operation: an admin, or a developer acting on their own things.

use crate::admin::error::AdminError;
use crate::model::user::{Role, User};

/// An authenticated account that may manage clients, users and policies.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    /// The caller for `user`, who must be an admin or a developer.
    pub fn new(user: User) -> Result<Self, AdminError> {
        if user.has_role(Role::Admin) || user.has_role(Role::Developer) {
            Ok(Self { user })
        } else {
            Err(AdminError::Forbidden)
        }
    }

    /// The caller's username.
    pub fn name(&self) -> &str {
        &self.user.username
    }

    /// True for an admin, who sees and manages everything.
    pub fn is_admin(&self) -> bool {
        self.user.has_role(Role::Admin)
    }

    /// True when the caller may see a thing owned by `owner` (`None`: the system's own).
    pub fn sees(&self, owner: Option<&str>) -> bool {
        self.is_admin() || owner == Some(self.name())
    }

    /// The owner of a thing this caller creates: the developer, or the system for an admin.
    pub fn owner_of_new(&self) -> Option<String> {
        (!self.is_admin()).then(|| self.name().to_owned())
    }

    /// The owner to filter lists by: none for an admin.
    pub fn list_filter(&self) -> Option<&str> {
        (!self.is_admin()).then(|| self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, roles: Vec<Role>) -> User {
        User {
            username: name.into(),
            password_hash: String::new(),
            name: None,
            email: None,
            roles,
            owner: None,
            disabled: false,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn developers_see_only_their_own_and_admins_everything() {
        let dev = Caller::new(user("dev", vec![Role::Developer])).unwrap();
        assert!(dev.sees(Some("dev")));
        assert!(!dev.sees(Some("other")) && !dev.sees(None));
        let admin = Caller::new(user("root", vec![Role::Admin])).unwrap();
        assert!(admin.sees(Some("dev")) && admin.sees(None));
        assert!(matches!(
            Caller::new(user("alice", vec![])),
            Err(AdminError::Forbidden)
        ));
    }
}
