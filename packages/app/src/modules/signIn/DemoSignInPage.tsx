import { ProxiedSignInPage, SignInPage } from '@backstage/core-components';
import { IdentityApi } from '@backstage/core-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

/** Where the chosen demo user is kept, so a reload stays signed in as them. */
export const DEMO_USER_STORAGE_KEY = 'fleetdeck:demo-sign-in:user';

function withForgetOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      localStorage.removeItem(DEMO_USER_STORAGE_KEY);
      await identity.signOut();
    },
  };
}

function DemoUserForm(props: { onSubmit(user: string): void }) {
  const [user, setUser] = useState('');
  return (
    <Paper variant="outlined" style={{ padding: 16, maxWidth: 720 }}>
      <Typography variant="h6">Sign in as a demo user</Typography>
      <Typography variant="body2" color="textSecondary" paragraph>
        Demo and development only: act as any user of the catalog, e.g.
        olivia.brown or mateo.garcia (sre, who approve production runbook
        targets) or lucas.moreau (platform-mongodb).
      </Typography>
      <Box
        component="form"
        display="flex"
        style={{ gap: 8 }}
        onSubmit={e => {
          e.preventDefault();
          if (user.trim()) props.onSubmit(user.trim());
        }}
      >
        <TextField
          id="fleetdeck-demo-user-name"
          label="User name"
          value={user}
          onChange={e => setUser(e.target.value)}
          size="small"
          variant="outlined"
        />
        <Button type="submit" variant="outlined" color="primary">
          Sign in as user
        </Button>
      </Box>
    </Paper>
  );
}

/**
 * The stock guest sign-in ("Enter"), plus signing in as another demo user
 * through the `demo` auth provider (plugins/auth-backend-module-demo-provider),
 * which the backend refuses outside development.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const [demoUser, setDemoUser] = useState(
    () => localStorage.getItem(DEMO_USER_STORAGE_KEY) ?? undefined,
  );
  if (demoUser) {
    return (
      <ProxiedSignInPage
        {...props}
        provider="demo"
        headers={{ 'x-fleetdeck-demo-user': demoUser }}
        onSignInSuccess={identity =>
          props.onSignInSuccess(withForgetOnSignOut(identity))
        }
        ErrorComponent={({ error }) => (
          <Box p={4}>
            <Typography variant="h5" gutterBottom>
              Could not sign in as {demoUser}
            </Typography>
            <Typography paragraph>{error?.message}</Typography>
            <Button
              variant="contained"
              onClick={() => {
                localStorage.removeItem(DEMO_USER_STORAGE_KEY);
                setDemoUser(undefined);
              }}
            >
              Back to sign-in
            </Button>
          </Box>
        )}
      />
    );
  }
  return (
    <SignInPage
      {...props}
      providers={['guest']}
      titleComponent={
        <DemoUserForm
          onSubmit={user => {
            localStorage.setItem(DEMO_USER_STORAGE_KEY, user);
            setDemoUser(user);
          }}
        />
      }
    />
  );
}
