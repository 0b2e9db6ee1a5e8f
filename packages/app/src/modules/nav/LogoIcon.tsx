import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: { width: 'auto', height: 28 },
  deck: { fill: '#7df3e1' },
  cluster: { fill: '#1f5493', stroke: '#7df3e1', strokeWidth: 6 },
});

/** Fleetdeck's mark: three clusters on a deck. */
export const LogoIcon = () => {
  const classes = useStyles();
  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 120 120"
      role="img"
      aria-label="Fleetdeck"
    >
      <rect
        className={classes.deck}
        x="6"
        y="92"
        width="108"
        height="16"
        rx="8"
      />
      <circle className={classes.cluster} cx="30" cy="66" r="18" />
      <circle className={classes.cluster} cx="90" cy="66" r="18" />
      <circle className={classes.cluster} cx="60" cy="34" r="22" />
    </svg>
  );
};
